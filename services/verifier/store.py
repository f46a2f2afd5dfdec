"""verifier's SQL: mailboxes (secrets sealed), waits, used messages, application results."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from runtime.db import advisory_key
from services.verifier.sealing import Sealer, context


@dataclass(frozen=True)
class Mailbox:
    user_id: UUID
    address: str
    kind: str
    settings: dict[str, Any]
    secret: bytes | None  # sealed

    def open_secret(self, sealer: Sealer) -> dict[str, Any]:
        if self.secret is None:
            return {}
        data: dict[str, Any] = json.loads(sealer.open(self.secret, context(self.user_id, self.kind, self.address)))
        return data


@dataclass(frozen=True)
class Wait:
    event_id: UUID
    task_id: UUID
    user_id: UUID
    kind: str
    event: str  # the event's JSON
    started_at: datetime
    polls: int
    last_look: bool  # the deadline has passed: this look decides
    traceparent: str | None = None  # the task's trace, where the wait was started in one


async def connect_mailbox(
    conn: asyncpg.Connection,
    sealer: Sealer,
    user_id: UUID,
    kind: str,
    address: str,
    settings: dict[str, Any],
    secret: dict[str, Any] | None,
) -> None:
    """Adds or replaces a user's mailbox; the secret is sealed before it reaches the database."""
    address = address.strip().lower()
    sealed = sealer.seal(json.dumps(secret).encode(), context(user_id, kind, address)) if secret else None
    await conn.execute(
        "INSERT INTO mailboxes (user_id, address, kind, settings, secret) VALUES ($1, $2, $3, $4::jsonb, $5) "
        "ON CONFLICT (user_id, address) DO UPDATE SET kind = EXCLUDED.kind, settings = EXCLUDED.settings, "
        "secret = EXCLUDED.secret, updated_at = now()",
        user_id,
        address,
        kind,
        json.dumps(settings),
        sealed,
    )


async def store_sealed(
    conn: asyncpg.Connection, user_id: UUID, kind: str, address: str, settings: dict[str, Any], sealed: bytes
) -> None:
    """Adds or replaces a mailbox whose secret intake sealed already (under the same key and row)."""
    await conn.execute(
        "INSERT INTO mailboxes (user_id, address, kind, settings, secret) VALUES ($1, $2, $3, $4::jsonb, $5) "
        "ON CONFLICT (user_id, address) DO UPDATE SET kind = EXCLUDED.kind, settings = EXCLUDED.settings, "
        "secret = EXCLUDED.secret, updated_at = now()",
        user_id,
        address.strip().lower(),
        kind,
        json.dumps(settings),
        sealed,
    )


async def take_mailboxes(conn: asyncpg.Connection, user_id: UUID, address: str | None) -> list[Mailbox]:
    """Deletes the user's mailbox of that address (every one when None); returns what was deleted."""
    rows = await conn.fetch(
        "DELETE FROM mailboxes WHERE user_id = $1 AND ($2::text IS NULL OR address = $2) "
        "RETURNING user_id, address, kind, settings, secret",
        user_id,
        address.strip().lower() if address else None,
    )
    return [Mailbox(r["user_id"], r["address"], r["kind"], json.loads(r["settings"]), r["secret"]) for r in rows]


async def disconnect_mailbox(conn: asyncpg.Connection, user_id: UUID, address: str) -> bool:
    deleted = await conn.fetchval(
        "DELETE FROM mailboxes WHERE user_id = $1 AND address = $2 RETURNING true", user_id, address.strip().lower()
    )
    return bool(deleted)


async def replace_secret(conn: asyncpg.Connection, sealer: Sealer, box: Mailbox, secret: dict[str, Any]) -> None:
    sealed = sealer.seal(json.dumps(secret).encode(), context(box.user_id, box.kind, box.address))
    await conn.execute(
        "UPDATE mailboxes SET secret = $3, updated_at = now() WHERE user_id = $1 AND address = $2",
        box.user_id,
        box.address,
        sealed,
    )


async def mailbox_for(conn: asyncpg.Connection, user_id: UUID, address: str | None) -> Mailbox | None:
    """The mailbox of that address; else the user's most recently connected one."""
    row = await conn.fetchrow(
        "SELECT user_id, address, kind, settings, secret FROM mailboxes WHERE user_id = $1 "
        "ORDER BY (address = $2) DESC, connected_at DESC LIMIT 1",
        user_id,
        (address or "").strip().lower(),
    )
    if row is None:
        return None
    return Mailbox(row["user_id"], row["address"], row["kind"], json.loads(row["settings"]), row["secret"])


def _cancel_key(task_id: UUID) -> int:
    """The advisory lock a task's cancel and the opening of its waits take, so neither misses the other."""
    return advisory_key(b"verifier-cancel:" + task_id.bytes)


async def add_wait(
    conn: asyncpg.Connection, kind: str, event: Event, timeout_s: float, traceparent: str | None = None
) -> bool:
    """Opens a wait in the caller's transaction; False when it is a verification wait of a task
    cancelled first (the wait is recorded ended, outcome 'cancelled', and nobody looks at the
    mailbox for it). A proof wait always opens: the application is out, and its receipt is the user's."""
    cancelled = False
    if kind == "verification":
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _cancel_key(event.task_id))
        cancelled = bool(await conn.fetchval("SELECT true FROM cancelled WHERE task_id = $1", event.task_id))
    await conn.execute(
        "INSERT INTO waits (event_id, task_id, user_id, kind, event, deadline, traceparent, state, outcome, "
        "finished_at) VALUES ($1, $2, $3, $4, $5::jsonb, now() + make_interval(secs => $6), $7, "
        "CASE WHEN $8 THEN 'done' ELSE 'waiting' END, CASE WHEN $8 THEN 'cancelled' END, "
        "CASE WHEN $8 THEN now() END) ON CONFLICT DO NOTHING",
        event.event_id,
        event.task_id,
        event.user_id,
        kind,
        event.model_dump_json(),
        timeout_s,
        traceparent,
        cancelled,
    )
    return not cancelled


async def claim_due(pool: asyncpg.Pool, instance: str, lease_s: float, limit: int) -> list[Wait]:
    """Due waits, leased to this instance for `lease_s` (longer than any look) so no one else looks meanwhile."""
    rows = await pool.fetch(
        "UPDATE waits w SET next_poll_at = now() + make_interval(secs => $2), polls = w.polls + 1, claimed_by = $1 "
        "FROM (SELECT event_id FROM waits WHERE state = 'waiting' AND next_poll_at <= now() "
        "ORDER BY next_poll_at LIMIT $3 FOR UPDATE SKIP LOCKED) due WHERE w.event_id = due.event_id "
        "RETURNING w.event_id, w.task_id, w.user_id, w.kind, w.event::text AS event, w.started_at, w.polls, "
        "w.deadline <= now() AS last_look, w.traceparent",
        instance,
        lease_s,
        limit,
    )
    return [Wait(**dict(r)) for r in rows]


async def look_again(pool: asyncpg.Pool, event_id: UUID, poll_s: float) -> None:
    """A look found nothing yet: the next one after the poll interval, or at the deadline for the last."""
    await pool.execute(
        "UPDATE waits SET next_poll_at = LEAST(now() + make_interval(secs => $2), GREATEST(deadline, now())) "
        "WHERE event_id = $1 AND state = 'waiting'",
        event_id,
        poll_s,
    )


async def finish_wait(conn: asyncpg.Connection, event_id: UUID, outcome: str) -> bool:
    """Ends a wait once: False when another look (or instance) already ended it."""
    done = await conn.fetchval(
        "UPDATE waits SET state = 'done', outcome = $2, finished_at = now() WHERE event_id = $1 "
        "AND state = 'waiting' RETURNING true",
        event_id,
        outcome,
    )
    return bool(done)


async def cancel_waits(conn: asyncpg.Connection, task_id: UUID, user_id: UUID) -> int:
    """task.cancelled, in the caller's transaction: the task's open verification waits end, and any
    opened after this commits opens ended (add_wait); its proof waits go on. Returns how many waits
    it ended."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _cancel_key(task_id))
    await conn.execute(
        "INSERT INTO cancelled (task_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", task_id, user_id
    )
    rows = await conn.fetch(
        "UPDATE waits SET state = 'done', outcome = 'cancelled', finished_at = now() "
        "WHERE task_id = $1 AND kind = 'verification' AND state = 'waiting' RETURNING event_id",
        task_id,
    )
    return len(rows)


async def note_error(pool: asyncpg.Pool, event_id: UUID, error: str) -> None:
    await pool.execute("UPDATE waits SET last_error = $2 WHERE event_id = $1", event_id, error)


async def unused(conn: asyncpg.Connection, user_id: UUID, message_ids: list[str]) -> set[str]:
    used = await conn.fetch(
        "SELECT message_id FROM used_messages WHERE user_id = $1 AND message_id = ANY($2::text[])",
        user_id,
        message_ids,
    )
    return set(message_ids) - {r["message_id"] for r in used}


async def mark_used(conn: asyncpg.Connection, user_id: UUID, message_id: str, task_id: UUID) -> bool:
    inserted = await conn.fetchval(
        "INSERT INTO used_messages (user_id, message_id, task_id) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING RETURNING true",
        user_id,
        message_id,
        task_id,
    )
    return bool(inserted)


async def save_result(
    conn: asyncpg.Connection,
    event: ApplicationSubmitted,
    outcome: str,
    evidence: tuple[str, ...],
    confirmation_id: str | None,
    reason: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO application_results (task_id, user_id, attempt_id, outcome, platform, job_title, company, "
        "confirmation_id, evidence, reason, page_url, receipt_uri, sent_fields, files) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb) "
        "ON CONFLICT (task_id) DO NOTHING",
        event.task_id,
        event.user_id,
        event.attempt_id,
        outcome,
        event.platform,
        event.job_title,
        event.company,
        confirmation_id,
        list(evidence),
        reason,
        event.page_url,
        event.receipt_uri,
        json.dumps([f.model_dump() for f in event.fields]),
        json.dumps(list(event.files)),
    )


async def forget_user(conn: asyncpg.Connection, user_id: UUID) -> int:
    """Deletes everything the verifier keeps of a user (mailboxes and their secrets, waits, receipts)."""
    deleted = 0
    for table in ("mailboxes", "waits", "used_messages", "application_results", "task_ledger", "cancelled"):
        status = await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
        deleted += int(status.split()[-1])
    return deleted
