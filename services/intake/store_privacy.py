"""SQL of a user's data as a whole: everything for the export, everything for the delete."""

import json
from typing import Any
from uuid import UUID

import asyncpg

from contracts.states import TERMINAL

# Tasks are kept 90 days after they were submitted (the original design's retention).
TASK_RETENTION_DAYS = 90


def _rows(records: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [
        {k: (json.loads(v) if k in ("data", "parsed", "preferences") else v) for k, v in r.items()} for r in records
    ]


async def everything(conn: asyncpg.Connection, user_id: UUID) -> dict[str, Any]:
    """Every row of the user's, as the user may see it (runs as the user, under row-level security)."""
    user = await conn.fetchrow(
        "SELECT user_id, email, name, role, plan, created_at FROM users WHERE user_id = $1", user_id
    )
    return {
        "account": dict(user) if user else None,
        "sessions": _rows(
            await conn.fetch(
                "SELECT session_id, created_at, expires_at, revoked_at FROM sessions WHERE user_id = $1", user_id
            )
        ),
        "profile": _rows(await conn.fetch("SELECT data, updated_at FROM profiles WHERE user_id = $1", user_id)),
        "resumes": _rows(
            await conn.fetch(
                "SELECT resume_id, filename, media_type, size_bytes, object_key, parsed, created_at FROM resumes "
                "WHERE user_id = $1 ORDER BY created_at",
                user_id,
            )
        ),
        "tasks": _rows(
            await conn.fetch(
                "SELECT r.*, t.state, t.outcome FROM task_requests r LEFT JOIN tasks t USING (task_id) "
                "WHERE r.user_id = $1 ORDER BY r.created_at",
                user_id,
            )
        ),
        "notifications": _rows(
            await conn.fetch(
                "SELECT notification_id, task_id, kind, title, body, link, created_at, read_at, mail, mailed_at "
                "FROM notifications WHERE user_id = $1 ORDER BY created_at",
                user_id,
            )
        ),
        "site_answers": _rows(
            await conn.fetch(
                "SELECT site, label, answer, provenance, source_task_id, learned_at FROM site_answers "
                "WHERE user_id = $1 ORDER BY site, label",
                user_id,
            )
        ),
        "task_events": _rows(
            await conn.fetch(
                "SELECT e.task_id, e.event_type, e.from_state, e.to_state, e.applied, e.occurred_at, e.data "
                "FROM task_events e JOIN task_requests r USING (task_id) WHERE r.user_id = $1 "
                "ORDER BY e.occurred_at",
                user_id,
            )
        ),
    }


async def running_tasks(conn: asyncpg.Connection, user_id: UUID) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT r.task_id FROM task_requests r LEFT JOIN tasks t USING (task_id) "
        "WHERE r.user_id = $1 AND NOT (coalesce(t.state, 'QUEUED') = ANY($2::text[]))",
        user_id,
        [s.value for s in TERMINAL],
    )
    return [r["task_id"] for r in rows]


async def forget(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Deletes every row intake holds about the user (with the service's own rights)."""
    await conn.execute(
        "DELETE FROM task_events WHERE task_id IN (SELECT task_id FROM task_requests WHERE user_id = $1) "
        "OR task_id IN (SELECT task_id FROM tasks WHERE user_id = $1)",
        user_id,
    )
    # users cascades to sessions
    tables = (
        "tasks",
        "task_requests",
        "resumes",
        "profiles",
        "user_credentials",
        "mailbox_connections",
        "oauth_states",
        "notifications",
        "notification_settings",
        "account_pauses",
        "site_answers",
    )
    for table in (*tables, "users"):
        await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)


async def expired_tasks(conn: asyncpg.Connection) -> int:
    """Deletes tasks submitted more than TASK_RETENTION_DAYS ago, with their history."""
    old = "SELECT task_id FROM task_requests WHERE created_at < now() - make_interval(days => $1)"
    await conn.execute(f"DELETE FROM task_events WHERE task_id IN ({old})", TASK_RETENTION_DAYS)
    await conn.execute(f"DELETE FROM tasks WHERE task_id IN ({old})", TASK_RETENTION_DAYS)
    done = await conn.execute(
        "DELETE FROM task_requests WHERE created_at < now() - make_interval(days => $1)", TASK_RETENTION_DAYS
    )
    return int(done.split()[-1])
