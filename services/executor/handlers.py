"""executor's handlers, one per consumed event: record the task, start its flow, continue it."""

import asyncpg

from contracts.envelope import Event
from contracts.profiles import ProfileReady
from contracts.tasks import TaskQueued
from runtime import inbox, ledger
from runtime.bus import Delivery
from runtime.errors import PermanentError
from services.executor import session, store
from services.executor.context import Executor

QUEUED_CONSUMER = "executor-queued"
PROFILE_READY_CONSUMER = "executor-profile-ready"
RESUMED_CONSUMER = "executor-resumed"


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
