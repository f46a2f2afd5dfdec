"""intake's handlers: every event of every task feeds the read model.

The read model takes a fetch's events together (runtime.batch): one transaction stores them,
folds each touched task's whole history again and saves the tasks, in a fixed number of
statements. A task's state is the fold of its history ordered by occurred_at (then arrival), so
it does not depend on the order or the number of times its events come; the per-task lock keeps
two transactions from folding one task at once. A single event is a batch of one.
"""

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.human import HumanResolved
from runtime import db, inbox, ledger, scrub, telemetry
from runtime.batch import Item
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.service import Service
from services.intake import notify, operator_answers, site_answers, state, stats, store

READ_MODEL_CONSUMER = "intake-read-model"


async def project(svc: Service, event: Event, delivery: Delivery) -> None:
    """One event, alone: a redelivery, or one of a batch that failed as a whole."""
    try:
        await project_many(svc, [(event, delivery)])
    except asyncpg.DataError as exc:  # the event's own data is what PostgreSQL refuses: no retry helps
        raise PermanentError(refusal(event, exc)) from exc


async def project_many(svc: Service, items: Sequence[Item]) -> None:
    """Stores the events and folds their tasks again, all in one transaction; raises if any fails
    (then nothing of it is stored, and the runtime takes the events one by one)."""
    arrived = _arrived(items)
    for a in arrived:
        scrub.remember_personal(a.event.model_dump(mode="json"))
    seen: list[stats.Observed] = []
    async with svc.pool.acquire() as conn:
        # One span for the batch's statements (lock, inbox, events, histories, places, tasks, notices,
        # ledger), not one each: runtime.telemetry.database.
        with telemetry.database("read model batch"):
            async with conn.transaction():
                await store.lock_tasks(conn, {a.event.task_id for a in arrived})
                new = await inbox.record_new(conn, READ_MODEL_CONSUMER, [(a.event, a.trace_id) for a in arrived])
                fresh = [a for a in arrived if a.event.event_id in new]
                if fresh:
                    seen = await _apply(svc, conn, fresh)
        db.session_unchanged(conn)  # its locks were the transaction's
    for observed in seen:  # after the commit: a rolled-back batch observed nothing
        stats.record(observed)


def _arrived(items: Sequence[Item]) -> list[store.Arrived]:
    """The events in their order, each once (a replay under a new message id is the same event)."""
    unique: dict[UUID, store.Arrived] = {}
    for event, delivery in items:
        unique.setdefault(event.event_id, store.Arrived(event, telemetry.trace_id_of(delivery.headers)))
    return list(unique.values())


async def _apply(svc: Service, conn: asyncpg.Connection, fresh: list[store.Arrived]) -> list[stats.Observed]:
    await store.add_events(conn, fresh)
    task_ids = list(dict.fromkeys(a.event.task_id for a in fresh))
    seen = await refold(conn, task_ids, {a.event.event_id: a.event for a in fresh})
    await notify.note(conn, task_ids)  # the inbox rows and the notices commit together
    for a in fresh:
        if isinstance(a.event, HumanResolved):
            await operator_answers.save(conn, a.event)
        if isinstance(a.event, ApplicationSubmitted):
            await site_answers.keep(conn, a.event)
    await ledger.note_many(conn, [a.event for a in fresh], svc.settings.instance)  # a double apply shows
    return seen


def refusal(event: Event, exc: asyncpg.DataError) -> str:
    """PostgreSQL's words, with where in the event it stopped: they quote the event, so the runtime
    scrubs them on their way to the logs and the dead letters (runtime.scrub)."""
    where = "; ".join(part for part in (exc.detail, exc.context) if part)
    return f"read model refused {event.TYPE}: {type(exc).__name__}: {exc}" + (f" ({where})" if where else "")


async def refold(conn: asyncpg.Connection, task_ids: list[UUID], fresh: dict[UUID, Event]) -> list[stats.Observed]:
    """Folds each task's history again; what each fresh event tells the metrics."""
    found = await store.histories(conn, task_ids, fresh)
    moved: list[state.Placed] = []
    rows: list[store.TaskRow] = []
    seen: list[stats.Observed] = []
    for stored in found.values():
        events = [s.event for s in stored]
        folded = state.fold(events)
        moved += store.moved(stored, folded.placed)
        first = next((s for s, p in zip(stored, folded.placed, strict=True) if p.after is not None), None)
        if first is not None:
            rows.append(store.TaskRow(first.event, folded, next((s.trace_id for s in stored if s.trace_id), None)))
        seen += [o for e in events if e.event_id in fresh and (o := stats.observe(events, folded.placed, e.event_id))]
    await store.place(conn, moved)
    await store.save_states(conn, rows)
    return seen
