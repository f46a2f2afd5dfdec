"""Lingering browsers: an account's browser stays up a while after its last task ended.

Starting a browser is most of what a task waits for before its first page (1-2 s of CPU, 2-8 s on
a loaded host), and an account's tasks often come one after another. So when the last task in a
browser ends, the browser keeps running for `AUTOAPPLY_BROWSER_LINGER_S`, still kept by that task:
its lock, its slot and their leases go on being renewed by the reaper, as for a browser at work.
The account's next task adopts it (`adopt`): a new tab, `profile.ready` at once, the lock and slot
handed to it. Lingering never keeps a slot from anyone: a browser does not linger while tasks wait
for a slot, a task refused a slot stops the least recently used lingering browser first (`evict`),
and the reaper stops one whose time is over, whose browser stopped answering, or behind which a
task waits for a slot (`sweep`).

Every step runs under the profile row's lock (`FOR UPDATE`, skipped when held), so a browser is
adopted by one task, or stopped, never both.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import asyncpg

from contracts.tasks import TaskQueued
from services.provisioner import sharing, store, tabs
from services.provisioner.limits import Ask, Verdict
from services.provisioner.providers import ProviderError

if TYPE_CHECKING:  # the handlers use this module: only the type, to keep the import one-way
    from services.provisioner.handlers import Provisioner

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def wanted(p: Provisioner) -> bool:
    """Whether the browser of an account's last task is to linger: lingering is on, and no task
    waits for a slot (lingering would only make it wait)."""
    return p.settings.browser_linger_s > 0 and not await p.gate.waiting_for_slots(_now_ms())


async def begin(p: Provisioner, profile: asyncpg.Record, keeper: object, target: str | None) -> bool:
    """After the last task left the browser: its tab is emptied for the next task, then the browser
    lingers. Until this commits no task adopts it (the account's next task waits as for a busy
    account), so no task can be working in the tab while it is emptied. False: stop it after all."""
    if not profile["ws_url"]:
        return False
    kept = target if await tabs.blank_tab(profile["ws_url"], target) else None
    if kept is None:
        await tabs.close_tab(profile["ws_url"], target)
    async with p.db.acquire() as conn, conn.transaction():
        return await store.begin_lingering(conn, profile["profile_id"], keeper, p.settings.browser_linger_s, kept)


async def adopt(p: Provisioner, event: TaskQueued, ask: Ask) -> Verdict | None:
    """The account's lingering browser for this task, with a tab of its own and `profile.ready`.
    None: the account has no lingering browser (or it just went); a refused verdict: a limit."""
    task = str(event.task_id)
    gone: asyncpg.Record | None = None
    async with p.db.acquire() as conn, conn.transaction():
        profile = await store.lingering_of(conn, event.user_id, event.platform)
        if profile is None:
            return None
        keeper = str(profile["task_id"])
        # Its slot is the keeper's: the task asks only for its own limits (spacing, windows, pauses).
        verdict = await p.gate.ask(ask, _now_ms(), shared=True, keeper=keeper)
        if not verdict.allowed:
            return verdict
        instance = profile["holder"] or p.settings.instance
        if not await p.locks.hand_over(profile["profile_id"], keeper, task, instance):
            if not await p.locks.acquire(profile["profile_id"], task, instance):
                return None  # another task holds the account's lock: the usual wait follows
        await p.gate.hand_over(keeper, task, _now_ms())
        try:
            target = profile["lingering_target"]
            if not await tabs.has_tab(profile["ws_url"], target):
                target = await tabs.open_tab(profile["ws_url"])
        except ProviderError as exc:  # it does not answer: what is left of it stops, the task starts anew
            log.info("a lingering browser did not open a tab, stopping it: %s", exc)
            gone = profile
        else:
            await store.adopt(conn, profile["profile_id"], task, instance)
            await sharing.announce(p, conn, event, profile, target)
    if gone is not None:
        await _stop(p, gone, keeper, task)
        return None
    log.info("task %s adopts its account's lingering browser", task)
    return verdict


async def evict(p: Provisioner) -> bool:
    """Stops this instance's least recently used lingering browser, freeing its slot; False when
    there is none."""
    async with p.db.acquire() as conn, conn.transaction():
        profile = await store.least_recently_lingering(conn, p.settings.instance)
        if profile is None:
            return False
        await store.clear_running(conn, profile["profile_id"], served=False)
    await _stop(p, profile, str(profile["task_id"]))
    log.info("stopped a lingering browser for a task that needs its slot")
    return True


async def retire(p: Provisioner, profile: asyncpg.Record) -> bool:
    """Stops a lingering browser, unless a task adopted it meanwhile."""
    keeper = profile["task_id"]
    async with p.db.acquire() as conn, conn.transaction():
        if await store.still_lingering(conn, profile["profile_id"], keeper) is None:
            return False
        await store.clear_running(conn, profile["profile_id"], served=False)
    await _stop(p, profile, str(keeper))
    return True


async def sweep(
    p: Provisioner, kept: list[asyncpg.Record], answers: list[bool]
) -> tuple[list[asyncpg.Record], list[bool]]:
    """The reaper's part: stops the lingering browsers whose time is over, that did not answer (no
    task is lost with them, so one miss is enough) or behind which a task waits for a slot. Returns
    the browsers at work, with their answers, for the reaper's own checks."""
    now = datetime.now(UTC)
    waiting = await p.gate.waiting_for_slots(_now_ms()) > 0
    working: list[asyncpg.Record] = []
    answered: list[bool] = []
    for profile, answer in zip(kept, answers, strict=True):
        until = profile["lingering_until"]
        if until is None:
            working.append(profile)
            answered.append(answer)
        elif (until <= now or not answer or waiting) and await retire(p, profile):
            log.info("stopped a lingering browser: %s", _why(until <= now, answer))
    return working, answered


def _why(over: bool, answered: bool) -> str:
    if over:
        return "its linger is over"
    return "it stopped answering" if not answered else "a task waits for its slot"


async def _stop(p: Provisioner, profile: asyncpg.Record, *tasks: str) -> None:
    """The browser (and its proxy relay) stop; then the lock and slot its keepers held are freed,
    in that order, so no task starts a second browser on the profile while the first still runs."""
    await p.pool.stop(await p.pool.spec_of(profile))
    async with p.db.acquire() as conn:
        await store.clear_running_if_kept(conn, profile["profile_id"], tasks)
    for task in tasks:
        await p.locks.release(profile["profile_id"], task)
        await p.gate.free(task)
