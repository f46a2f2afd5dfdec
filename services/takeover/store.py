"""takeover's SQL: the tasks it may be asked about, the interventions, and the audit trail."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.profiles import ProfileReady
from contracts.tasks import TaskQueued
from services.takeover.state import SIGN_IN


@dataclass(frozen=True)
class Intervention:
    intervention_id: UUID
    task_id: UUID
    user_id: UUID
    kind: str
    reason: str
    page_url: str | None
    questions: list[dict[str, Any]]
    screenshot_uri: str | None
    resume_state: str
    trace_id: str | None
    priority: str
    created_at: datetime
    deadline_at: datetime
    closed_at: datetime | None
    outcome: str | None
    cdp_url: str | None
    live_view_url: str | None
    job_url: str | None
    platform: str | None
    traceparent: str | None = None
    operators_may_sign_in: bool = False
    target_id: str | None = None  # the task's own tab in its browser

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def for_operators(self) -> bool:
        """A sign-in wait is the user's own unless they let operators help with it."""
        return self.kind != SIGN_IN or self.operators_may_sign_in


_SELECT = (
    "SELECT i.*, t.cdp_url, t.live_view_url, t.job_url, t.platform, t.target_id, "
    "COALESCE(t.operators_may_sign_in, false) AS operators_may_sign_in FROM interventions i "
    "LEFT JOIN tasks t ON t.task_id = i.task_id"
)


def _intervention(row: asyncpg.Record) -> Intervention:
    values = dict(row)
    values["questions"] = json.loads(values["questions"])
    values.pop("closed_by", None)
    return Intervention(**values)


async def task_queued(conn: asyncpg.Connection, event: TaskQueued) -> None:
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, priority, job_url, platform, operators_may_sign_in) "
        "VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (task_id) DO UPDATE SET priority = EXCLUDED.priority, job_url = EXCLUDED.job_url, "
        "platform = EXCLUDED.platform, operators_may_sign_in = EXCLUDED.operators_may_sign_in, updated_at = now()",
        event.task_id,
        event.user_id,
        event.priority.value,
        str(event.job_url),
        event.platform,
        event.preferences.get("operators_may_sign_in") is True,
    )


async def reprioritise(conn: asyncpg.Connection, event: TaskQueued) -> list[UUID]:
    """task.queued may arrive after the task asked for help (two consumers): its open request takes
    the task's priority. Returns the requests whose place in the queue changed."""
    rows = await conn.fetch(
        "UPDATE interventions SET priority = $2 WHERE task_id = $1 AND closed_at IS NULL AND priority <> $2 "
        "RETURNING intervention_id",
        event.task_id,
        event.priority.value,
    )
    return [r["intervention_id"] for r in rows]


async def browser_ready(conn: asyncpg.Connection, event: ProfileReady) -> None:
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, cdp_url, live_view_url, platform, target_id) "
        "VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (task_id) DO UPDATE SET cdp_url = EXCLUDED.cdp_url, live_view_url = EXCLUDED.live_view_url, "
        "target_id = EXCLUDED.target_id, updated_at = now()",
        event.task_id,
        event.user_id,
        event.cdp_url,
        event.live_view_url,
        event.platform,
        event.target_id,
    )


async def locked_task(conn: asyncpg.Connection, task_id: UUID, user_id: UUID) -> tuple[str, bool]:
    """The task's priority and whether it was cancelled, its row locked until the transaction ends.
    task.queued and task.cancelled come through another consumer: plain reads could miss their
    uncommitted row while they missed this uncommitted request, and the request would keep the
    wrong priority, or stay open for a cancelled task, for good. Taking the row's lock orders the
    two: whichever commits second sees the other's work."""
    row = await conn.fetchrow(
        "INSERT INTO tasks (task_id, user_id) VALUES ($1, $2) "
        "ON CONFLICT (task_id) DO UPDATE SET updated_at = tasks.updated_at RETURNING priority, cancelled",
        task_id,
        user_id,
    )
    return str(row["priority"]), bool(row["cancelled"])


async def open_intervention(
    conn: asyncpg.Connection,
    *,
    intervention_id: UUID,
    task_id: UUID,
    user_id: UUID,
    kind: str,
    reason: str,
    page_url: str | None,
    questions: list[dict[str, Any]],
    screenshot_uri: str | None,
    resume_state: str,
    trace_id: str | None,
    wait_s: float,
    traceparent: str | None = None,
) -> list[UUID] | None:
    """Opens the intervention; returns the ids of earlier open ones of the task it supersedes. None:
    the task was cancelled, and the request is recorded closed."""
    priority, cancelled = await locked_task(conn, task_id, user_id)
    superseded = [
        r["intervention_id"]
        for r in await conn.fetch(
            "UPDATE interventions SET closed_at = now(), outcome = 'superseded', closed_by = 'takeover' "
            "WHERE task_id = $1 AND closed_at IS NULL RETURNING intervention_id",
            task_id,
        )
    ]
    await conn.execute(
        "INSERT INTO interventions (intervention_id, task_id, user_id, kind, reason, page_url, questions, "
        "screenshot_uri, resume_state, trace_id, priority, deadline_at, traceparent) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, now() + make_interval(secs => $12), $13)",
        intervention_id,
        task_id,
        user_id,
        kind,
        reason,
        page_url,
        json.dumps(questions),
        screenshot_uri,
        resume_state,
        trace_id,
        priority,
        wait_s,
        traceparent,
    )
    if cancelled:
        await conn.execute(
            "UPDATE interventions SET closed_at = now(), outcome = 'cancelled', closed_by = 'cancel' "
            "WHERE intervention_id = $1",
            intervention_id,
        )
        return None
    return superseded


async def get(conn: asyncpg.Connection | asyncpg.Pool, intervention_id: UUID) -> Intervention | None:
    row = await conn.fetchrow(f"{_SELECT} WHERE i.intervention_id = $1", intervention_id)
    return _intervention(row) if row is not None else None


async def open_of_task(conn: asyncpg.Connection | asyncpg.Pool, task_id: UUID) -> Intervention | None:
    row = await conn.fetchrow(f"{_SELECT} WHERE i.task_id = $1 AND i.closed_at IS NULL", task_id)
    return _intervention(row) if row is not None else None


async def open_ones(conn: asyncpg.Connection | asyncpg.Pool) -> list[Intervention]:
    rows = await conn.fetch(f"{_SELECT} WHERE i.closed_at IS NULL ORDER BY i.created_at")
    return [_intervention(r) for r in rows]


async def close(conn: asyncpg.Connection, intervention_id: UUID, outcome: str, by: str) -> Intervention | None:
    """Closes an open intervention; None if it was closed already (someone else got there first)."""
    row = await conn.fetchrow(
        "UPDATE interventions SET closed_at = now(), outcome = $2, closed_by = $3 "
        "WHERE intervention_id = $1 AND closed_at IS NULL RETURNING intervention_id",
        intervention_id,
        outcome,
        by,
    )
    return await get(conn, intervention_id) if row is not None else None


async def cancel_task(conn: asyncpg.Connection, task_id: UUID, user_id: UUID) -> list[UUID]:
    """task.cancelled: the task's open requests close, and a request that comes later opens closed
    (open_intervention takes the same row's lock)."""
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, cancelled) VALUES ($1, $2, true) "
        "ON CONFLICT (task_id) DO UPDATE SET cancelled = true, updated_at = now()",
        task_id,
        user_id,
    )
    return await close_for_task(conn, task_id, "cancelled", "cancel")


async def close_for_task(conn: asyncpg.Connection, task_id: UUID, outcome: str, by: str) -> list[UUID]:
    rows = await conn.fetch(
        "UPDATE interventions SET closed_at = now(), outcome = $2, closed_by = $3 "
        "WHERE task_id = $1 AND closed_at IS NULL RETURNING intervention_id",
        task_id,
        outcome,
        by,
    )
    return [r["intervention_id"] for r in rows]


async def overdue(conn: asyncpg.Connection | asyncpg.Pool, limit: int = 100) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT intervention_id FROM interventions WHERE closed_at IS NULL AND deadline_at < now() "
        "ORDER BY deadline_at LIMIT $1",
        limit,
    )
    return [r["intervention_id"] for r in rows]


async def audit(
    conn: asyncpg.Connection | asyncpg.Pool,
    operator_id: str,
    intervention_id: UUID | None,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit (operator_id, intervention_id, action, detail) VALUES ($1, $2, $3, $4::jsonb)",
        operator_id,
        intervention_id,
        action,
        json.dumps(detail or {}),
    )


async def audit_trail(conn: asyncpg.Connection | asyncpg.Pool, intervention_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT at, operator_id, action, detail FROM audit WHERE intervention_id = $1 ORDER BY audit_id",
        intervention_id,
    )
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


# Audit details that say nothing about the user: kept when the user is deleted.
IMPERSONAL_DETAIL = ("events", "waited_s")


async def forget_user(conn: asyncpg.Connection, user_id: UUID) -> list[UUID]:
    """Deletes the user's tasks and interventions; their audit rows keep who did what and when, and
    lose the details (a resolution, a reason, the questions answered). Returns the interventions."""
    rows = await conn.fetch("SELECT intervention_id FROM interventions WHERE user_id = $1", user_id)
    ids = [r["intervention_id"] for r in rows]
    await conn.execute(
        "UPDATE audit SET detail = COALESCE((SELECT jsonb_object_agg(key, value) FROM jsonb_each(detail) "
        "WHERE key = ANY($2::text[])), '{}'::jsonb) || '{\"user_deleted\": true}'::jsonb "
        "WHERE intervention_id = ANY($1::uuid[])",
        ids,
        list(IMPERSONAL_DETAIL),
    )
    for table in ("interventions", "tasks", "task_ledger"):
        await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
    return ids
