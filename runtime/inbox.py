"""The idempotent consumer: an event is applied once per consumer, in the transaction of its effect.

JetStream redelivers (and on a single node can even lose a confirmed ack in a crash), so every
handler records (consumer, event_id) in the same transaction as its state change; a redelivery
finds the row and is acked without effect. Transitions are guarded in SQL so a late or
out-of-order event cannot move a task backwards.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from contracts.states import TaskState

Apply = Callable[[asyncpg.Connection], Awaitable[None]]


async def record_once(conn: asyncpg.Connection, consumer: str, event: Event, trace_id: str | None = None) -> bool:
    """True the first time this consumer sees the event; call inside the effect's transaction."""
    inserted = await conn.fetchval(
        "INSERT INTO processed_events (consumer, event_id, task_id, trace_id) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event.event_id,
        event.task_id,
        trace_id,
    )
    return bool(inserted)


async def record_new(conn: asyncpg.Connection, consumer: str, events: Sequence[tuple[Event, str | None]]) -> set[UUID]:
    """record_once for many events (with their trace ids) in one statement: the ids seen for the first time."""
    rows = await conn.fetch(
        "INSERT INTO processed_events (consumer, event_id, task_id, trace_id) "
        "SELECT $1, e, t, tr FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS u(e, t, tr) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        [e.event_id for e, _ in events],
        [e.task_id for e, _ in events],
        [trace_id for _, trace_id in events],
    )
    return {r["event_id"] for r in rows}


async def handle_once(
    pool: asyncpg.Pool, consumer: str, event: Event, apply: Apply, trace_id: str | None = None
) -> bool:
    """Runs `apply` and records the event in one transaction; False (and nothing run) if seen before."""
    async with pool.acquire() as conn, conn.transaction():
        if not await record_once(conn, consumer, event, trace_id):
            return False
        await apply(conn)
    return True


async def guarded_transition(
    conn: asyncpg.Connection, table: str, task_id: object, target: TaskState, allowed_from: Iterable[TaskState]
) -> bool:
    """Moves the task only if it is in one of the allowed states; False if it was not."""
    moved = await conn.fetchval(
        f"UPDATE {table} SET state = $2, updated_at = now() WHERE task_id = $1 AND state = ANY($3::text[]) "
        "RETURNING true",
        task_id,
        target.value,
        [s.value for s in allowed_from],
    )
    return bool(moved)
