"""intake's handlers: every event of every task feeds the read model."""

import asyncpg

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.human import HumanResolved
from runtime import ledger, scrub, telemetry
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.inbox import handle_once
from runtime.service import Service
from services.intake import notify, operator_answers, site_answers, state, stats, store

READ_MODEL_CONSUMER = "intake-read-model"


async def project(svc: Service, event: Event, delivery: Delivery) -> None:
    """Stores the event in its task's history and folds the history again, in one transaction."""
    scrub.remember_personal(event.model_dump(mode="json"))
    trace_id = telemetry.trace_id_of(delivery.headers)
    seen: list[stats.Observed | None] = []

    async def apply(conn: asyncpg.Connection) -> None:
        seen.clear()  # a retried transaction observes again
        await store.lock_task(conn, event.task_id)
        await store.add_event(conn, event, trace_id)
        seen.append(await refold(conn, event))
        await notify.note(conn, event.task_id)  # the inbox row and the notices commit together
        if isinstance(event, HumanResolved):
            await operator_answers.save(conn, event)
        if isinstance(event, ApplicationSubmitted):
            await site_answers.keep(conn, event)
        await ledger.note(conn, event, svc.settings.instance)  # counts applications: a double apply shows

    try:
        applied = await handle_once(svc.pool, READ_MODEL_CONSUMER, event, apply, trace_id)
    except asyncpg.DataError as exc:  # the event's own data is what PostgreSQL refuses: no retry helps
        raise PermanentError(refusal(event, exc)) from exc
    if applied and seen and seen[0] is not None:
        stats.record(seen[0])


def refusal(event: Event, exc: asyncpg.DataError) -> str:
    """PostgreSQL's words, with where in the event it stopped: they quote the event, so the runtime
    scrubs them on their way to the logs and the dead letters (runtime.scrub)."""
    where = "; ".join(part for part in (exc.detail, exc.context) if part)
    return f"read model refused {event.TYPE}: {type(exc).__name__}: {exc}" + (f" ({where})" if where else "")


async def refold(conn: asyncpg.Connection, event: Event) -> stats.Observed | None:
    stored = await store.history(conn, event.task_id)
    folded = state.fold([s.event for s in stored])
    await store.place(conn, folded.placed)
    seen = stats.observe([s.event for s in stored], folded.placed, event.event_id)
    applied = [s for s, p in zip(stored, folded.placed, strict=True) if p.after is not None]
    if applied:
        first = applied[0]
        await store.save_state(conn, first.event, folded, next((s.trace_id for s in stored if s.trace_id), None))
    return seen
