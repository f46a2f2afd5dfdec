"""provisioner's handlers: a queued task gets a browser (or waits, or retries); a finished one gives it back.

task.queued is handled more than once on purpose: a task over a limit waits by a delayed nak and
comes back. The provisioner's own task row (its stage) decides what a delivery still has to do,
and every event it sends goes through the outbox in the transaction that changes that stage.
"""

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import cached_property

import asyncpg
from redis.exceptions import RedisError

from contracts.envelope import Event
from contracts.profiles import ProfileFailed, ProfileReady, ProfileReleased
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed, TaskProgress, TaskQueued, TaskRetrying
from runtime import inbox, ledger, outbox, periodic
from runtime.bus import Delivery
from runtime.errors import PermanentError, TransientError
from runtime.service import Service
from services.provisioner import linger, proxies, sharing, state, store, tabs, vault, wakes
from services.provisioner.limits import Ask, Gate, Verdict
from services.provisioner.locks import Locks
from services.provisioner.pool import AccountBusy, Pool, Started
from services.provisioner.providers import Provider, ProviderError
from services.provisioner.settings import ProvisionerSettings

log = logging.getLogger(__name__)

QUEUED_CONSUMER = "provisioner-queued"
FINISHED_CONSUMER = "provisioner-finished"
USERS_CONSUMER = "provisioner-users"


class Waiting(TransientError):
    """Over a limit or out of slots: the delivery comes back after the delay (a delayed nak)."""

    def __init__(self, message: str, delay_s: float | None = None, reason: str = "") -> None:
        super().__init__(message, delay_s)
        self.reason = reason  # the verdict's: a task out of "slots" may wait in place (wakes.py)


class Provisioner:
    """What the handlers share. Built before the service starts; its parts once Redis and the pool exist."""

    def __init__(self, svc: Service, settings: ProvisionerSettings, provider: Provider) -> None:
        self.svc, self.settings, self.provider = svc, settings, provider
        self.key = vault.derive_key(settings.secret_key.get_secret_value())
        self._seeded = False

    @property
    def db(self) -> asyncpg.Pool:
        return self.svc.pool

    @cached_property
    def gate(self) -> Gate:
        s = self.settings
        lease_ms = int(s.lock_ttl_s * 1000)
        # A waiter that has not come back in three of its waits is gone (cancelled, or its service down).
        stale_ms = int(max(s.slot_wait_s * 3, 30) * 1000)
        return Gate(self.svc.redis, s.browser_slots, lease_ms, stale_ms, parked=s.waiting_browsers)

    @cached_property
    def waiters(self) -> wakes.Waiters:
        """This instance's tasks waiting in place for a slot, woken when one frees for them."""
        return wakes.Waiters(self.svc.redis, self.settings.browser_slots, self.gate.stale_ms)

    @cached_property
    def starting(self) -> asyncio.Semaphore:
        """Browsers this instance starts at once: no more than the host's slots."""
        return asyncio.Semaphore(self.settings.browser_slots)

    @cached_property
    def locks(self) -> Locks:
        return Locks(self.svc.redis, int(self.settings.lock_ttl_s * 1000))

    @cached_property
    def pool(self) -> Pool:
        return Pool(self.settings, self.db, self.locks, self.provider, self.key)

    async def seed(self) -> None:
        """Adds the configured proxies to the store once per process (before the first binding)."""
        if self._seeded:
            return
        configured = [proxies.parse(url) for url in self.settings.proxy_urls]
        async with self.db.acquire() as conn:
            added = await store.seed_proxies(conn, self.key, configured)
        self._seeded = True
        if added:
            log.info("%d new proxies added to the pool", added)

    async def publish(self, conn: asyncpg.Connection, event: Event) -> None:
        await outbox.enqueue(conn, self.svc.schema, event)


async def on_task_queued(p: Provisioner, event: Event, delivery: Delivery) -> None:
    if not isinstance(event, TaskQueued):
        raise PermanentError(f"{event.TYPE} on the queued consumer")
    await p.seed()
    async with p.db.acquire() as conn, conn.transaction():
        if await store.forgotten(conn, event.user_id):
            log.info("task %s belongs to a deleted user: no browser", event.task_id)
            return
        task = await store.upsert_task(conn, event)
        if not state.needs_browser(task["stage"]):
            return  # done before (ready, failed, cancelled, released): a redelivery
        if task["stage"] == "waiting":
            await ledger.note(conn, event, p.settings.instance)
            await inbox.record_once(conn, QUEUED_CONSUMER, event)  # accepted; its stage says how far it got
        await _announce(p, conn, event, task["stage"], task["attempts"])
    hold_until = time.monotonic() + p.settings.slot_hold_s
    while True:
        try:
            await _provision(p, event)
            return
        except Waiting as waiting:
            if waiting.reason != "slots" or p.settings.slot_hold_s <= 0:
                raise
            # Out of slots: wait here until one frees for this task, not by a nak every few seconds.
            if not await p.waiters.wait(str(event.task_id), hold_until - time.monotonic()):
                raise Waiting(str(waiting), wakes.RETURN_AFTER_HOLD_S, waiting.reason) from None


async def _provision(p: Provisioner, event: TaskQueued) -> None:
    """A browser for the task: the account's own (started, or a tab of it), else Waiting or a retry."""
    held = await p.gate.held(event.platform, str(event.user_id), str(event.task_id))
    if held is not None:  # a checkpoint only the user can pass: no browser of the account, not even lent
        await _wait(p, event, held, held.describe(event.platform, p.settings.browser_slots))
        return
    adopted = await linger.adopt(p, event, _ask(p.settings, event))
    if adopted is not None:
        if not adopted.allowed:
            await _wait(p, event, adopted, adopted.describe(event.platform, p.settings.browser_slots))
        return
    try:
        claimed = await p.pool.claim(event)
    except AccountBusy as exc:
        await _share(p, event, str(exc))
        return
    except ProviderError as exc:
        await _failed(p, event, None, str(exc))
        return
    verdict = await p.gate.ask(_ask(p.settings, event), _now_ms())
    if not verdict.allowed and verdict.reason == "slots" and await linger.evict(p):
        verdict = await p.gate.ask(_ask(p.settings, event), _now_ms())  # a lingering browser gave its slot
    if not verdict.allowed:
        await p.locks.release(claimed.spec.profile_id, event.task_id)
        await _wait(p, event, verdict, verdict.describe(event.platform, p.settings.browser_slots))
        return
    try:
        async with _leased(p, claimed.spec.profile_id, event.task_id), p.starting:
            started = await p.pool.start(claimed)
    except (ProviderError, TransientError, ValueError, OSError) as exc:
        await p.pool.stop(claimed.spec)
        await _failed(p, event, claimed.spec.profile_id, str(exc), retryable=not isinstance(exc, ValueError))
        return
    await _ready(p, event, started)


@asynccontextmanager
async def _leased(p: Provisioner, profile_id: str, task_id: object) -> AsyncIterator[None]:
    """Keeps the task's slot and the profile's lock alive while its browser starts. The reaper
    renews them only once the browser is on record; a start slower than the lease (on a loaded
    host Chromium took over 20 s, and the proxy check may take 10) let the slot lapse, so the gate
    gave it to another task and more browsers ran than slots (seen in the soak: 14 on 4)."""

    async def renew() -> None:
        with suppress(RedisError, OSError):  # Redis away: the start goes on, the lease may lapse
            await p.gate.renew(str(task_id), _now_ms())
            await p.locks.refresh(profile_id, task_id, p.settings.instance)

    # Stopped by a flag, not by cancel alone: a cancel landing in a Redis call can be lost (periodic.py).
    async with periodic.alongside(p.settings.lock_ttl_s / 3, renew, name=f"lease of {task_id}"):
        yield


async def _share(p: Provisioner, event: TaskQueued, busy: str) -> None:
    """The account's browser runs for other tasks: a tab of it when they all wait for a person, else wait."""
    verdict = await sharing.join(p, event, _ask(p.settings, event))
    if verdict is None:
        await _wait(p, event, Verdict(False, "account_busy"), busy)
    elif not verdict.allowed:
        await _wait(p, event, verdict, verdict.describe(event.platform, p.settings.browser_slots))


async def _announce(p: Provisioner, conn: asyncpg.Connection, event: TaskQueued, stage: str, attempts: int) -> None:
    """QUEUED -> PROVISIONING on the first delivery; RETRYING -> PROVISIONING on each retry."""
    if stage == "waiting" or stage == "retrying":
        detail = f"attempt {attempts + 1}" if stage == "retrying" else None
        await p.publish(conn, _progress(event, detail))
        await store.set_stage(conn, event.task_id, "provisioning")


async def _wait(p: Provisioner, event: TaskQueued, verdict: Verdict, why: str) -> None:
    delay = _delay_s(p.settings, verdict)
    until = verdict.until_ms / 1000 if verdict.until_ms else time.time() + delay
    async with p.db.acquire() as conn, conn.transaction():
        known = await conn.fetchval("SELECT wait_reason FROM tasks WHERE task_id = $1 FOR UPDATE", event.task_id)
        if known != verdict.reason:  # say it once per reason, not on every return
            await p.publish(conn, _progress(event, why))
        await store.set_stage(
            conn, event.task_id, "provisioning", wait_reason=verdict.reason, wait_until=_ts(until), last_error=why
        )
    raise Waiting(why, delay_s=delay, reason=verdict.reason)


def _delay_s(settings: ProvisionerSettings, verdict: Verdict) -> float:
    if verdict.until_ms:
        # Come back when the limit frees, a little later than the exact edge.
        return max(0.5, verdict.until_ms / 1000 - time.time() + random.uniform(0.1, 1.0))
    return settings.slot_wait_s * random.uniform(0.8, 1.2)


async def _failed(p: Provisioner, event: TaskQueued, profile_id: str | None, why: str, retryable: bool = True) -> None:
    if profile_id is not None:
        await p.locks.release(profile_id, event.task_id)
    await p.gate.free(str(event.task_id))
    async with p.db.acquire() as conn, conn.transaction():
        attempts = int(await conn.fetchval("SELECT attempts FROM tasks WHERE task_id = $1 FOR UPDATE", event.task_id))
        delays = p.settings.retry_delays_s
        if retryable and attempts < len(delays):
            delay = delays[attempts]
            await p.publish(
                conn, TaskRetrying(**_ids(event), stage="provisioning", attempt=attempts + 1, delay_s=delay, reason=why)
            )
            await store.set_stage(conn, event.task_id, "retrying", attempts=attempts + 1, last_error=why)
        else:
            await p.publish(conn, ProfileFailed(**_ids(event), reason=FailureReason.PROVISIONING_FAILED, message=why))
            await store.set_stage(conn, event.task_id, "failed", attempts=attempts + 1, last_error=why)
            return
    log.warning("provisioning %s failed, retrying in %.1f s: %s", event.task_id, delay, why)
    raise TransientError(why, delay_s=delay)


async def _ready(p: Provisioner, event: TaskQueued, started: Started) -> None:
    session, spec = started.session, started.claimed.spec
    # A slow start may have outlasted the lock's TTL: renew it before the browser is on record.
    if not await p.locks.acquire(spec.profile_id, event.task_id, p.settings.instance):
        await p.pool.stop(spec)
        raise TransientError("the profile's lock was taken while its browser started", delay_s=1.0)
    try:
        target = await tabs.open_tab(session.ws_url)
    except ProviderError as exc:
        raise TransientError(str(exc), delay_s=1.0) from None
    async with p.db.acquire() as conn, conn.transaction():
        await store.mark_running(conn, spec.profile_id, event.task_id, p.settings.instance, session)
        await p.publish(
            conn,
            ProfileReady(
                **_ids(event),
                profile_id=spec.profile_id,
                provider=p.pool.provider.name,
                platform=event.platform,
                cdp_url=session.cdp_url,
                ws_url=session.ws_url,
                live_view_url=session.live_view_url,
                fingerprint=spec.fingerprint.summary(),
                exit_ip=started.exit_ip,
                target_id=target,
            ),
        )
        await store.set_stage(
            conn,
            event.task_id,
            "ready",
            profile_id=spec.profile_id,
            target_id=target,
            **sharing.fresh_hold(),
            wait_reason=None,
            wait_until=None,
            last_error=None,
        )


async def on_task_finished(p: Provisioner, event: Event, delivery: Delivery) -> None:
    """A terminal event: close the task's tab; when no other task works in its browser, leave it
    lingering for the account's next task (linger.py) or stop it (freeing its lock and slot); say
    profile.released."""
    async with p.db.acquire() as conn, conn.transaction():
        # "finishing": no reaper takes the browser we are about to stop for one that died under its task.
        hold = await sharing.leave(conn, event.task_id, "finishing")
    await sharing.after_leaving(p, event.task_id, hold)
    profile, last = hold.profile, hold.stopping
    lingers = last is not None and await linger.wanted(p)
    if last is not None and lingers:
        lingers = await linger.begin(p, last, last["task_id"], hold.target_id)
    stopping = None if lingers else last  # a lingering browser keeps its lock and slot (linger.py)
    if stopping is not None:
        await p.pool.stop(await p.pool.spec_of(stopping))

    async def apply(conn: asyncpg.Connection) -> None:
        before = await store.mark_finished(conn, event.task_id, event.user_id, state.finished_stage(event.TYPE))
        if stopping is not None:
            await store.clear_running(conn, stopping["profile_id"], served=True)
        if profile is not None or before not in ("released", "cancelled"):
            await p.publish(conn, ProfileReleased(**_ids(event), profile_id=profile and str(profile["profile_id"])))

    await inbox.handle_once(p.db, FINISHED_CONSUMER, event, apply)
    if stopping is not None:
        await p.locks.release(stopping["profile_id"], event.task_id)
    if not lingers:
        await p.gate.free(str(event.task_id))
    await p.gate.unhold_task(str(event.user_id), str(event.task_id))


async def on_user_deleted(p: Provisioner, event: Event, delivery: Delivery) -> None:
    """A user asked to be forgotten: their browsers stop, and their profiles (with cookies and
    logins), bindings, tasks, locks and limits go. Every step may run again on a redelivery."""
    async with p.db.acquire() as conn:
        profiles = await store.profiles_of_user(conn, event.user_id)
        tasks = await store.tasks_of_user(conn, event.user_id)
        for task in tasks:  # so that no reaper reports as lost the browsers stopped here
            await store.mark_finishing(conn, task["task_id"])
    for profile in profiles:
        await p.provider.delete(await p.pool.spec_of(profile))

    async def apply(conn: asyncpg.Connection) -> None:
        await store.forget_user(conn, event.user_id)

    await inbox.handle_once(p.db, USERS_CONSUMER, event, apply)
    # After the rows are gone, so that the reaper renews no lock of a profile that no longer exists.
    for profile in profiles:
        await p.locks.forget(profile["profile_id"])
    await p.gate.forget_user(str(event.user_id), [str(t["task_id"]) for t in tasks])
    log.info("forgot a user: %d profiles, %d tasks", len(profiles), len(tasks))


async def browser_lost(p: Provisioner, profile: asyncpg.Record, why: str = "the task's browser exited") -> None:
    """The browser of running tasks is gone: each task in it fails cleanly, and its release follows."""
    async with p.db.acquire() as conn, conn.transaction():
        tasks = await conn.fetch(
            "SELECT * FROM tasks WHERE stage = 'ready' AND (task_id = $1 OR profile_id = $2) "
            "ORDER BY task_id FOR UPDATE",
            profile["task_id"],
            profile["profile_id"],
        )
        for task in tasks:
            failed = TaskFailed(
                task_id=task["task_id"], user_id=task["user_id"], reason=FailureReason.INTERNAL, message=why
            )
            await p.publish(conn, failed)
            await store.set_stage(conn, task["task_id"], "failed", last_error=why)
    for task in tasks:
        log.warning("task %s fails: %s", task["task_id"], why)


def _ask(settings: ProvisionerSettings, event: TaskQueued) -> Ask:
    plan = str(event.preferences.get("plan", "free"))
    spacing = random.uniform(settings.spacing_min_s, max(settings.spacing_min_s, settings.spacing_max_s))
    return Ask(
        task_id=str(event.task_id),
        user_id=str(event.user_id),
        platform=event.platform,
        priority=event.priority,
        queued_ms=int(event.occurred_at.timestamp() * 1000),
        account_limit=settings.hourly_limit(event.platform),
        user_limit=settings.plan_limits.get(plan, settings.plan_limits.get("free", 5)),
        spacing_ms=int(spacing * 1000),
    )


def _progress(event: TaskQueued, detail: str | None) -> TaskProgress:
    return TaskProgress(**_ids(event), state=TaskState.PROVISIONING, detail=detail)


def _ids(event: Event) -> dict[str, object]:
    return {"task_id": event.task_id, "user_id": event.user_id, "causation_id": event.event_id}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _ts(epoch_s: float) -> object:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch_s, UTC)
