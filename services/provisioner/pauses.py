"""A platform paused an account (user.account_paused): the rate limiter learns it, and a task the
pause sent back (a daily limit) gets its browser stopped, then is provisioned again when it ends.

The pause is a Redis key the gate reads (no task of that user and platform gets a browser before
`until`) and a row of the provisioner's own. The task that met the limit was told to go back
(task.retrying, from the executor); this handler holds that message by delayed naks until the
pause ends, then runs the task's own task.queued again, as a provisioning retry. A pause without
an end (a checkpoint waiting for the user) holds the account's other tasks by the pause itself (the
gate's hold), even where the waiting task's browser could be lent to them, until the executor says
it ended (the same pause with an until that has come) or the task that met it ends.
"""

import logging
import random
import time
from uuid import UUID

from contracts.envelope import Event
from contracts.users import AccountPaused
from runtime import inbox
from runtime.bus import Delivery
from runtime.errors import PermanentError
from services.provisioner import store
from services.provisioner.handlers import Provisioner, Waiting, on_task_queued
from services.provisioner.limits import OPEN_REASONS

log = logging.getLogger(__name__)
PAUSES_CONSUMER = "provisioner-pauses"
# Stages in which the task that met the pause is still to be provisioned again by this handler.
REQUEUED = frozenset({"paused", "retrying", "provisioning"})


async def on_account_paused(p: Provisioner, event: Event, delivery: Delivery) -> None:
    if not isinstance(event, AccountPaused):
        raise PermanentError(f"{event.TYPE} on the pauses consumer")
    now_ms = int(time.time() * 1000)
    until_ms = int(event.until.timestamp() * 1000) if event.until else 0
    async with p.db.acquire() as conn, conn.transaction():
        await store.record_pause(conn, event)
    if await p.gate.pause(event.platform, str(event.user_id), until_ms, now_ms):
        log.info("%s paused an account (%s) for %.0f s", event.platform, event.reason, (until_ms - now_ms) / 1000)
    await _open_pause(p, event, until_ms, now_ms)
    if event.reason == "daily_limit" and event.source_task_id is not None:
        await _requeue(p, event, event.source_task_id, until_ms, delivery)


async def _open_pause(p: Provisioner, event: AccountPaused, until_ms: int, now_ms: int) -> None:
    """A checkpoint without an end holds the account; the same pause with an until that came ends it."""
    if event.reason not in OPEN_REASONS:
        return
    if event.until is None and event.source_task_id is not None:
        await p.gate.hold(event.platform, str(event.user_id), event.reason, str(event.source_task_id))
        log.info("%s holds an account until the user passes its %s", event.platform, event.reason)
    elif until_ms <= now_ms and await p.gate.unhold(event.platform, str(event.user_id)):
        log.info("%s: the user passed the account's %s", event.platform, event.reason)


async def _requeue(p: Provisioner, event: AccountPaused, task_id: UUID, until_ms: int, delivery: Delivery) -> None:
    first = await _stop_browser(p, event, task_id, until_ms)
    async with p.db.acquire() as conn:
        task = await conn.fetchrow("SELECT * FROM tasks WHERE task_id = $1", task_id)
    if task is None or (task["stage"] not in REQUEUED and not first):
        return  # cancelled, finished, or provisioned again already
    wait_s = until_ms / 1000 - time.time()
    if wait_s > 0:
        raise Waiting(f"waiting: {event.platform} paused this account", delay_s=wait_s + random.uniform(0.1, 1.0))
    queued = store.queued_of(task)
    if queued is None:
        log.warning("task %s cannot be provisioned again: its task.queued was not kept", task_id)
        return
    if task["stage"] == "paused":
        await store.set_stage(p.db, task_id, "retrying")
    await on_task_queued(p, queued, delivery)


async def _stop_browser(p: Provisioner, event: AccountPaused, task_id: UUID, until_ms: int) -> bool:
    """Once per pause: the task's browser stops and its lock and slot go; True when it was now."""
    async with p.db.acquire() as conn, conn.transaction():
        if not await inbox.record_once(conn, PAUSES_CONSUMER, event):
            return False
        moved = await conn.fetchval(
            "UPDATE tasks SET stage = 'paused', wait_reason = 'account_paused', "
            "wait_until = to_timestamp($2::float8 / 1000), updated_at = now() "
            "WHERE task_id = $1 AND stage IN ('ready', 'provisioning', 'retrying', 'waiting') RETURNING true",
            task_id,
            float(until_ms),
        )
        profile = await store.profile_of_task(conn, task_id) if moved else None
    if profile is not None:
        await p.pool.stop(await p.pool.spec_of(profile))
        async with p.db.acquire() as conn:
            await store.clear_running(conn, profile["profile_id"], served=True)
        await p.locks.release(profile["profile_id"], task_id)
    await p.gate.free(str(task_id))
    return bool(moved)
