"""One account's browser, shared by its tasks: each works in a tab of its own.

One account = one fingerprint = one IP, so an account never gets a second browser. But a task that
waits for a person (a CAPTCHA, a question, an emailed code, the user's review) does not drive its
browser meanwhile: it lends it. The account's next task then gets `profile.ready` for the same
running browser with a new tab (`join`), while the waiting task's tab stays as it is. Only when
every task holding the browser lends it, and none of them met a checkpoint (which holds the whole
account), may another join; the executor's claim on the browser makes sure only one drives it at a
time. A task that ends closes its tab (`leave`); the browser stops only with the last of them.

Which tasks lend is learned from the bus (`on_wait_changed`), in stream order on one consumer, so a
checkpoint's pause (published before its `human.needed`) is seen before the wait it comes with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import asyncpg

from contracts.envelope import Event
from contracts.human import CaptchaDetected, HumanNeeded, HumanResolved
from contracts.mail import EmailVerificationNeeded, EmailVerified
from contracts.profiles import ProfileReady
from contracts.subjects import event_filter
from contracts.tasks import TaskApproved, TaskQueued, TaskReviewNeeded
from contracts.users import AccountPaused
from runtime import outbox
from runtime.bus import Delivery
from services.provisioner import store, tabs
from services.provisioner.limits import Ask, Verdict

if TYPE_CHECKING:  # the handlers use this module: only the type, to keep the import one-way
    from services.provisioner.handlers import Provisioner

WAITS_CONSUMER = "provisioner-waits"
# A task waits for someone other than the automation after these, and drives again after those.
LENDS = (CaptchaDetected, HumanNeeded, EmailVerificationNeeded, TaskReviewNeeded)
TAKES_BACK = (HumanResolved, EmailVerified, TaskApproved)
WAITS_SUBJECTS = (*(event_filter(e.TYPE) for e in (*LENDS, *TAKES_BACK)), f"{AccountPaused.TYPE}.*")


@dataclass(frozen=True)
class Hold:
    """What a task let go of: the browser it worked in (if any), its tab, who keeps the browser now."""

    profile: asyncpg.Record | None = None
    target_id: str | None = None
    next_keeper: object | None = None  # the task that keeps the lock now, when the leaving task kept it
    shared: bool = False  # other tasks still work in the browser: only the tab closes

    @property
    def stopping(self) -> asyncpg.Record | None:
        """The profile whose browser stops with this task: no other task works in it."""
        return None if self.shared else self.profile


async def join(p: Provisioner, event: TaskQueued, ask: Ask) -> Verdict | None:
    """A tab in the account's running browser, when every task there waits for a person. None: the
    browser is not free to lend (the caller waits, as for a busy account); a refused verdict: a limit."""
    async with p.db.acquire() as conn, conn.transaction():
        profile = await store.running_profile_of(conn, event.user_id, event.platform)
        if profile is None or not profile["ws_url"]:
            return None
        if not lent(await store.holders(conn, profile["profile_id"], event.task_id)):
            return None
        verdict = await p.gate.ask(ask, int(time.time() * 1000), shared=True, keeper=str(profile["task_id"]))
        if not verdict.allowed:
            return verdict
        target = await tabs.open_tab(profile["ws_url"])
        try:
            await announce(p, conn, event, profile, target)
        except BaseException:
            await tabs.close_tab(profile["ws_url"], target)
            raise
    return verdict


def lent(holders: list[asyncpg.Record]) -> bool:
    """The browser may take another task: every task in it waits for a person, none at a checkpoint."""
    return bool(holders) and all(h["lending"] and not h["holds_account"] for h in holders)


def waits_for_people(working: list[asyncpg.Record]) -> bool:
    """Nobody drives the browser: every task in it waits for a person (a checkpoint's too)."""
    return bool(working) and all(h["lending"] for h in working)


async def settle(p: Provisioner, profile_id: object) -> str:
    """The browser's place: parked while every task in it waits for a person, else a slot (limits.py).
    Under the profile row's lock, as joining and leaving are, so it never parks a browser a task
    has just joined. Returns 'slot', 'parked' or 'none' (the browser does not run)."""
    async with p.db.acquire() as conn, conn.transaction():
        keeper = await store.keeper_of(conn, profile_id)
        if keeper is None:
            return "none"
        waiting = waits_for_people(await store.working_in(conn, profile_id))
        return await p.gate.settle(str(keeper), waiting, int(time.time() * 1000))


async def announce(
    p: Provisioner, conn: asyncpg.Connection, event: TaskQueued, profile: asyncpg.Record, target: str
) -> None:
    """In the caller's transaction: `profile.ready` for the running browser, with the task's tab."""
    exit_ip = await conn.fetchval(
        "SELECT host(exit_ip) FROM proxy_bindings WHERE binding_id = $1", profile["binding_id"]
    )
    ready = ProfileReady(
        task_id=event.task_id,
        user_id=event.user_id,
        causation_id=event.event_id,
        profile_id=str(profile["profile_id"]),
        provider=p.pool.provider.name,
        platform=event.platform,
        cdp_url=profile["cdp_url"],
        ws_url=profile["ws_url"],
        live_view_url=profile["live_view_url"],
        fingerprint=store.fingerprint_of(profile).summary(),
        exit_ip=exit_ip,
        target_id=target,
    )
    await outbox.enqueue(conn, p.svc.schema, ready)
    await store.set_stage(
        conn,
        event.task_id,
        "ready",
        profile_id=profile["profile_id"],
        target_id=target,
        **fresh_hold(),
        wait_reason=None,
        wait_until=None,
        last_error=None,
    )


def fresh_hold() -> dict[str, object]:
    """A task that gets a browser drives it: a wait said before (a task sent back and provisioned
    again) is over, and an event older than now changes nothing any more."""
    return {"lending": False, "holds_account": False, "lending_at": datetime.now(UTC)}


async def leave(conn: asyncpg.Connection, task_id: object, stage: str) -> Hold:
    """In the caller's transaction: the task no longer works in its browser (its stage becomes
    `stage`); the browser passes to the next task in it, or is the caller's to stop."""
    profile = await store.held_profile(conn, task_id)
    if profile is None:
        return Hold()
    target = await store.target_of(conn, task_id)
    others = await store.holders(conn, profile["profile_id"], task_id)
    await conn.execute(
        "UPDATE tasks SET stage = $2, updated_at = now() WHERE task_id = $1 AND stage = 'ready'", task_id, stage
    )
    if not others:
        return Hold(profile, target)
    keeper = None
    if profile["task_id"] == task_id:
        keeper = others[0]["task_id"]
        await store.set_keeper(conn, profile["profile_id"], keeper)
    else:
        await store.count_served(conn, profile["profile_id"])
    return Hold(profile, target, keeper, shared=True)


async def after_leaving(p: Provisioner, task_id: object, hold: Hold) -> None:
    """After the commit: the lock and slot go to the next keeper, and the task's tab closes."""
    if hold.profile is None or not hold.shared:
        return
    if hold.next_keeper is not None:
        instance = hold.profile["holder"] or p.settings.instance
        await p.locks.hand_over(hold.profile["profile_id"], str(task_id), str(hold.next_keeper), instance)
        await p.gate.hand_over(str(task_id), str(hold.next_keeper), int(time.time() * 1000))
    await settle(p, hold.profile["profile_id"])  # those left may all wait for a person
    await tabs.close_tab(hold.profile["ws_url"], hold.target_id)


async def on_wait_changed(p: Provisioner, event: Event, delivery: Delivery) -> None:
    """A task began or stopped waiting for a person; or met (or passed) a checkpoint."""
    if isinstance(event, AccountPaused):
        if event.source_task_id is not None:  # only a pause without an end holds the account's browser
            await store.set_holds_account(p.db, event.source_task_id, event.until is None)
        return
    await store.set_lending(p.db, event.task_id, isinstance(event, LENDS), event.occurred_at)
    profile_id = await store.browser_of(p.db, event.task_id)
    if profile_id is not None:  # its browser waits for a person now (parked), or works again (a slot)
        await settle(p, profile_id)
