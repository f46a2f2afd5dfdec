"""Notes, per service, the last event it applied for each task (see migrations/0002_ledger.sql)."""

from collections import Counter
from collections.abc import Sequence

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


async def note_many(conn: asyncpg.Connection, events: Sequence[Event], instance: str) -> None:
    """note() for many events in one statement: per task its last event here, and how many came."""
    last: dict[object, Event] = {}
    seen: Counter[object] = Counter()
    for event in events:
        last[event.task_id] = event
        seen[event.task_id] += 1
    rows = list(last.values())
    await conn.execute(
        "INSERT INTO task_ledger (task_id, user_id, last_event, last_event_id, handled_by, events_seen) "
        "SELECT t, u, e, i, $5, n FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $6::int[]) "
        "AS x(t, u, e, i, n) ON CONFLICT (task_id) DO UPDATE SET last_event = EXCLUDED.last_event, "
        "last_event_id = EXCLUDED.last_event_id, handled_by = EXCLUDED.handled_by, "
        "events_seen = task_ledger.events_seen + EXCLUDED.events_seen, updated_at = now()",
        [e.task_id for e in rows],
        [e.user_id for e in rows],
        [e.TYPE for e in rows],
        [e.event_id for e in rows],
        instance,
        [seen[e.task_id] for e in rows],
    )


async def note_once(pool: asyncpg.Pool, consumer: str, event: Event, instance: str) -> bool:
    """Notes the event, once per consumer (see runtime.inbox); False for a redelivery."""
    return await handle_once(pool, consumer, event, lambda conn: note(conn, event, instance))
