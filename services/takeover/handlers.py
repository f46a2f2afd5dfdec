"""takeover's handlers, one per consumed event; each applies once, in the transaction of its effect."""

import uuid

import asyncpg

from contracts.envelope import Event
from contracts.human import HumanResolved
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.tasks import TaskCancelled, TaskProgress, TaskQueued
from runtime import outbox, telemetry
from runtime.bus import Delivery
from runtime.inbox import handle_once
from runtime.service import Service
from services.takeover import queue, state, store
from services.takeover.settings import TakeoverSettings

HELP_WANTED_CONSUMER = "takeover-queue"
TASKS_CONSUMER = "takeover-tasks"
USERS_CONSUMER = "takeover-users"


def _settings(svc: Service) -> TakeoverSettings:
    assert isinstance(svc.settings, TakeoverSettings)
    return svc.settings


def _wait_s(settings: TakeoverSettings, kind: str) -> float:
    return settings.signin_timeout_s if kind == state.SIGN_IN else settings.human_timeout_s


async def on_task_fact(svc: Service, event: Event, delivery: Delivery) -> None:
    """Remembers a task's priority and browser; a cancelled task's intervention is closed."""
    closed: list[uuid.UUID] = []
    moved: list[uuid.UUID] = []

    async def apply(conn: asyncpg.Connection) -> None:
        if isinstance(event, TaskQueued):
            await store.task_queued(conn, event)
            moved.extend(await store.reprioritise(conn, event))
        elif isinstance(event, ProfileReady):
            await store.browser_ready(conn, event)
        elif isinstance(event, TaskCancelled):
            closed.extend(await store.cancel_task(conn, event.task_id, event.user_id))
        elif isinstance(event, HumanResolved) and event.causation_id is not None:
            # Resolved by someone else (the user, on their page): it leaves the queue; ours finds it closed.
            item = await store.close(conn, event.causation_id, "resolved", event.operator_id)
            if item is not None:
                await store.audit(conn, event.operator_id, item.intervention_id, "resolve", {"elsewhere": True})
                closed.append(item.intervention_id)

    await handle_once(svc.pool, TASKS_CONSUMER, event, apply)
    await queue.remove(svc.redis, *closed)
    for intervention_id in moved:
        item = await store.get(svc.pool, intervention_id)
        if item is not None and item.open:
            await queue.add(svc.redis, item)  # the same member again: ZADD moves it to its new place


async def on_help_wanted(svc: Service, event: Event, delivery: Delivery) -> None:
    """A task needs a person: it joins the operators' queue and the task moves to HUMAN_TAKEOVER."""
    wanted = state.help_wanted(event)
    superseded: list[uuid.UUID] = []

    async def apply(conn: asyncpg.Connection) -> None:
        opened = await store.open_intervention(
            conn,
            intervention_id=event.event_id,
            task_id=event.task_id,
            user_id=event.user_id,
            kind=wanted.kind,
            reason=wanted.reason,
            page_url=wanted.page_url,
            questions=wanted.questions,
            screenshot_uri=wanted.screenshot_uri,
            resume_state=wanted.resume_state.value,
            trace_id=telemetry.trace_id_of(delivery.headers),
            wait_s=_wait_s(_settings(svc), wanted.kind),
            traceparent=telemetry.traceparent(),
        )
        if opened is None:
            return  # the task was cancelled: nobody is asked, and the task stays where it ended
        superseded.extend(opened)
        taken = TaskProgress(
            event_id=uuid.uuid5(event.event_id, "taken-over"),
            task_id=event.task_id,
            user_id=event.user_id,
            causation_id=event.event_id,
            state=TaskState.HUMAN_TAKEOVER,
            detail=wanted.reason,
        )
        await outbox.enqueue(conn, svc.schema, taken)

    if await handle_once(svc.pool, HELP_WANTED_CONSUMER, event, apply):
        await queue.remove(svc.redis, *superseded)
    item = await store.get(svc.pool, event.event_id)
    if item is not None and item.open:  # also on a redelivery: Redis may have missed the first add
        await queue.add(svc.redis, item)


async def on_user_deleted(svc: Service, event: Event, delivery: Delivery) -> None:
    """A user asked to be forgotten: their interventions leave the queue and the record; live views
    of them close (the page's socket sees its intervention gone); the audit keeps the actions only."""
    forgotten: list[uuid.UUID] = []

    async def apply(conn: asyncpg.Connection) -> None:
        forgotten.extend(await store.forget_user(conn, event.user_id))

    await handle_once(svc.pool, USERS_CONSUMER, event, apply)
    await queue.remove(svc.redis, *forgotten)
