"""Notes, per service, the last event it applied for each task (see migrations/0002_ledger.sql)."""

import asyncpg

from contracts.envelope import Event


async def note(conn: asyncpg.Connection, event: Event) -> None:
    await conn.execute(
        "INSERT INTO task_ledger (task_id, user_id, last_event, last_event_id) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (task_id) DO UPDATE SET last_event = EXCLUDED.last_event, "
        "last_event_id = EXCLUDED.last_event_id, events_seen = task_ledger.events_seen + 1, updated_at = now()",
        event.task_id,
        event.user_id,
        event.TYPE,
        event.event_id,
    )
