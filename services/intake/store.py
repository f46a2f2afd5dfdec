"""intake's SQL: tasks and their event history (the read model), for many events at once.

Each function is one statement whatever the number of events or tasks (arrays in, unnest in SQL):
the read model's cost was its round trips, about eleven per event one at a time.
"""

from collections.abc import Iterable, Mapping, Sequence
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
    placed: tuple[int | None, str | None, str | None, bool]  # as stored: position, from, to, applied


@dataclass(frozen=True)
class Arrived:
    event: Event
    trace_id: str | None


async def lock_tasks(conn: asyncpg.Connection, task_ids: Iterable[UUID]) -> None:
    """Serialises the events of each task until commit (their rows may not exist yet). Taken in one
    order by every transaction of the read model, so two of them never wait for each other."""
    keys = sorted({f"intake task {task_id}" for task_id in task_ids})
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
        "FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS ordered",
        keys,
    )


async def add_events(conn: asyncpg.Connection, arrived: Sequence[Arrived]) -> None:
    """Stored in the given order (their arrival, the tie-break of events of the same instant)."""
    await conn.execute(
        "INSERT INTO task_events (event_id, task_id, event_type, applied, occurred_at, trace_id, data) "
        "SELECT e, t, y, false, o, tr, d::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::text[], "
        "$4::timestamptz[], $5::text[], $6::text[]) WITH ORDINALITY AS u(e, t, y, o, tr, d, n) ORDER BY n "
        "ON CONFLICT (event_id) DO NOTHING",
        [a.event.event_id for a in arrived],
        [a.event.task_id for a in arrived],
        [a.event.TYPE for a in arrived],
        [a.event.occurred_at for a in arrived],
        [a.trace_id for a in arrived],
        [a.event.model_dump_json() for a in arrived],
    )


async def histories(
    conn: asyncpg.Connection, task_ids: Sequence[UUID], known: Mapping[UUID, Event]
) -> dict[UUID, list[Stored]]:
    """Each task's events in the order they happened; a type this version does not know is left out.
    `known` events are taken as they are instead of decoding their stored copy again."""
    rows = await conn.fetch(
        "SELECT task_id, event_id, event_type, data::text AS data, trace_id, position, from_state, to_state, applied "
        "FROM task_events WHERE task_id = ANY($1::uuid[]) ORDER BY task_id, occurred_at, arrival",
        list(task_ids),
    )
    found: dict[UUID, list[Stored]] = {task_id: [] for task_id in task_ids}
    for r in rows:
        model = EVENT_TYPES.get(r["event_type"])
        if model is None:
            continue
        event = known.get(r["event_id"]) or model.model_validate_json(r["data"])
        placed = (r["position"], r["from_state"], r["to_state"], r["applied"])
        found[r["task_id"]].append(Stored(event, r["trace_id"], placed))
    return found


def moved(stored: Sequence[Stored], placed: Sequence[Placed]) -> list[Placed]:
    """The events whose place in the history is not the one stored."""
    return [p for s, p in zip(stored, placed, strict=True) if s.placed != _row(p)]


def _row(p: Placed) -> tuple[int, str | None, str | None, bool]:
    before = p.before.value if p.before is not None else None
    after = p.after.value if p.after is not None else None
    return (p.position, before, after, p.after is not None)


async def place(conn: asyncpg.Connection, placed: Sequence[Placed]) -> None:
    if not placed:
        return
    rows = [_row(p) for p in placed]
    await conn.execute(
        "UPDATE task_events AS e SET position = u.p, from_state = u.f, to_state = u.t, applied = u.a "
        "FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::bool[]) AS u(id, p, f, t, a) "
        "WHERE e.event_id = u.id",
        [p.event_id for p in placed],
        *([row[i] for row in rows] for i in range(4)),
    )


@dataclass(frozen=True)
class TaskRow:
    """A task as its fold left it; `first` is its earliest event that applied."""

    first: Event
    folded: Folded
    trace_id: str | None


async def save_states(conn: asyncpg.Connection, tasks: Sequence[TaskRow]) -> None:
    if not tasks:
        return
    columns = [_task_columns(t) for t in tasks]
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, state, outcome, platform, job_url, trace_id) "
        "SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) "
        "ON CONFLICT (task_id) DO UPDATE SET state = EXCLUDED.state, "
        "outcome = EXCLUDED.outcome, platform = EXCLUDED.platform, job_url = EXCLUDED.job_url, "
        "trace_id = EXCLUDED.trace_id, updated_at = now()",
        *([c[i] for c in columns] for i in range(7)),
    )


def _task_columns(t: TaskRow) -> tuple[object, ...]:
    assert t.folded.state is not None
    queued = t.first if isinstance(t.first, TaskQueued) else None
    outcome = t.folded.outcome and t.folded.outcome.value
    platform, job_url = (queued.platform, str(queued.job_url)) if queued else (None, None)
    return (t.first.task_id, t.first.user_id, t.folded.state.value, outcome, platform, job_url, t.trace_id)
