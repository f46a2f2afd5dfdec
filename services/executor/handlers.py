"""executor's handlers, one per consumed event: record the task, start its flow, continue it;
stop a cancelled one; keep the user's stored accounts; forget a deleted user."""

import logging
from contextlib import suppress

import asyncpg
from nats.js.errors import NotFoundError

from contracts.envelope import Event
from contracts.profiles import ProfileReady
from contracts.streams import EVENTS_STREAM
from contracts.tasks import TaskQueued
from contracts.users import CredentialsDeleted, CredentialsStored
from runtime import inbox, ledger
from runtime.bus import Delivery
from runtime.errors import PermanentError
from services.executor import attempts, credentials, session, store
from services.executor.context import Executor

log = logging.getLogger(__name__)

QUEUED_CONSUMER = "executor-queued"
PROFILE_READY_CONSUMER = "executor-profile-ready"
RESUMED_CONSUMER = "executor-resumed"
CANCELLED_CONSUMER = "executor-cancelled"
CREDENTIALS_CONSUMER = "executor-credentials"
USERS_CONSUMER = "executor-users"


async def on_task_queued(x: Executor, event: Event, delivery: Delivery) -> None:
    """The executor keeps its own copy of what the task is: the job, its platform and preferences."""
    if not isinstance(event, TaskQueued):
        raise PermanentError(f"{event.TYPE} on the queued consumer")
    instance = x.settings.instance

    async def keep(conn: asyncpg.Connection) -> None:
        await store.save_queued(conn, event, instance)
        await ledger.note(conn, event, instance)

    await inbox.handle_once(x.db, QUEUED_CONSUMER, event, keep)


async def on_profile_ready(x: Executor, event: Event, delivery: Delivery) -> None:
    """A browser is ready for the task: navigate, fill, submit (or wait)."""
    if not isinstance(event, ProfileReady):
        raise PermanentError(f"{event.TYPE} on the profile-ready consumer")
    await session.ready(x, event, delivery)


async def on_resumed(x: Executor, event: Event, delivery: Delivery) -> None:
    """Help arrived (an operator, the mailbox, the user's approval): re-attach and continue."""
    await session.resumed(x, event, delivery)


async def on_task_cancelled(x: Executor, event: Event, delivery: Delivery) -> None:
    """The user cancelled the task: it is never submitted from here on, and a delivery that comes
    for it later does nothing. A flow already past its submit click goes on (the application is out,
    and its receipt is the user's)."""
    past_click: list[bool] = []

    async def stop(conn: asyncpg.Connection) -> None:
        past_click.append(not await attempts.cancel(conn, event.task_id, event.user_id))

    if await inbox.handle_once(x.db, CANCELLED_CONSUMER, event, stop) and past_click == [True]:
        log.info("task %s was cancelled after its submit click", event.task_id)


async def on_credentials(x: Executor, event: Event, delivery: Delivery) -> None:
    """An account stored or deleted at intake: the executor's sealed copy follows, once per event."""
    if isinstance(event, CredentialsStored):
        sealed = credentials.sealed_of(x.credentials, event)

        async def keep(conn: asyncpg.Connection) -> None:
            await credentials.save(conn, event, sealed)

        await inbox.handle_once(x.db, CREDENTIALS_CONSUMER, event, keep)
        if event.origin == "user":  # stored: the stream keeps no sealed copy for two weeks (intake keeps sign-ups')
            with suppress(NotFoundError):
                await x.svc.bus.js.delete_msg(EVENTS_STREAM, delivery.stream_seq)
    elif isinstance(event, CredentialsDeleted):

        async def drop(conn: asyncpg.Connection) -> None:
            await credentials.delete(conn, event)

        await inbox.handle_once(x.db, CREDENTIALS_CONSUMER, event, drop)
    else:
        raise PermanentError(f"{event.TYPE} on the credentials consumer")


async def on_user_deleted(x: Executor, event: Event, delivery: Delivery) -> None:
    """A user asked to be forgotten: their accounts and task records go."""

    async def forget(conn: asyncpg.Connection) -> None:
        await credentials.forget_user(conn, event.user_id)

    await inbox.handle_once(x.db, USERS_CONSUMER, event, forget)
