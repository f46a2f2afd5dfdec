"""Notes, per service, the last event it applied for each task (see migrations/0002_ledger.sql)."""

import asyncpg

from contracts.envelope import Event
from runtime.inbox import handle_once


async def note(conn: asyncpg.Connection, event: Event, instance: str) -> None:
    await conn.execute(
        "INSERT INTO task_ledger (task_id, user_id, last_event, last_event_id, handled_by) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (task_id) DO UPDATE SET last_event = EXCLUDED.last_event, "
        "last_event_id = EXCLUDED.last_event_id, handled_by = EXCLUDED.handled_by, "
        "events_seen = task_ledger.events_seen + 1, updated_at = now()",
        event.task_id,
        event.user_id,
        event.TYPE,
        event.event_id,
        instance,
    )


async def note_once(pool: asyncpg.Pool, consumer: str, event: Event, instance: str) -> bool:
    """Notes the event, once per consumer (see runtime.inbox); False for a redelivery."""
    return await handle_once(pool, consumer, event, lambda conn: note(conn, event, instance))
