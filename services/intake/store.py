"""intake's SQL: tasks and their event history (the read model)."""

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from contracts.registry import EVENT_TYPES
from contracts.tasks import TaskQueued
from services.intake.state import Folded, Placed


@dataclass(frozen=True)
class Stored:
    event: Event
    trace_id: str | None


async def lock_task(conn: asyncpg.Connection, task_id: UUID) -> None:
    """Serialises the events of one task until commit (its row may not exist yet)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"intake task {task_id}")


async def add_event(conn: asyncpg.Connection, event: Event, trace_id: str | None) -> None:
    await conn.execute(
        "INSERT INTO task_events (event_id, task_id, event_type, applied, occurred_at, trace_id, data) "
        "VALUES ($1, $2, $3, false, $4, $5, $6::jsonb) ON CONFLICT (event_id) DO NOTHING",
        event.event_id,
        event.task_id,
        event.TYPE,
        event.occurred_at,
        trace_id,
        event.model_dump_json(),
    )


async def history(conn: asyncpg.Connection, task_id: UUID) -> list[Stored]:
    """The task's events in the order they happened; a type this version does not know is left out."""
    rows = await conn.fetch(
        "SELECT event_type, data, trace_id FROM task_events WHERE task_id = $1 ORDER BY occurred_at, arrival",
        task_id,
    )
    return [
        Stored(EVENT_TYPES[r["event_type"]].model_validate_json(r["data"]), r["trace_id"])
        for r in rows
        if r["event_type"] in EVENT_TYPES
    ]


async def place(conn: asyncpg.Connection, placed: tuple[Placed, ...]) -> None:
    await conn.executemany(
        "UPDATE task_events SET position = $2, from_state = $3, to_state = $4, applied = $5 WHERE event_id = $1 "
        "AND (position, from_state, to_state, applied) IS DISTINCT FROM ($2, $3, $4, $5)",
        [
            (p.event_id, p.position, p.before and p.before.value, p.after and p.after.value, p.after is not None)
            for p in placed
        ],
    )


async def save_state(conn: asyncpg.Connection, first: Event, folded: Folded, trace_id: str | None) -> None:
    """The task row as the fold left it; `first` is the task's earliest event that applied."""
    assert folded.state is not None
    queued = first if isinstance(first, TaskQueued) else None
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, state, outcome, platform, job_url, trace_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_id) DO UPDATE SET state = EXCLUDED.state, "
        "outcome = EXCLUDED.outcome, platform = EXCLUDED.platform, job_url = EXCLUDED.job_url, "
        "trace_id = EXCLUDED.trace_id, updated_at = now()",
        first.task_id,
        first.user_id,
        folded.state.value,
        folded.outcome and folded.outcome.value,
        queued and queued.platform,
        queued and str(queued.job_url),
        trace_id,
    )
