"""Keeps the locks of this instance's browsers alive, takes over those of a crashed instance, and
notices a browser that died under its task."""

import asyncio
import logging
import time

import asyncpg

from runtime import periodic
from services.provisioner import linger, sharing, store
from services.provisioner.handlers import Provisioner, browser_lost

log = logging.getLogger(__name__)
# A browser is lost after this many sweeps in a row without an answer from it. One miss is not
# enough: a browser busy with a heavy page on a loaded machine can take longer than the probe's
# 2 s to answer /json/version, and failing its task for that would throw away a live application.
LOST_AFTER_MISSES = 3


async def run(p: Provisioner) -> None:
    misses: dict[str, int] = {}  # profile id -> sweeps in a row its browser did not answer
    try:
        await periodic.rounds(p.settings.lock_ttl_s / 3, lambda: sweep(p, misses), "reaper: sweep")
    finally:
        await asyncio.shield(leave(p))


async def leave(p: Provisioner) -> None:
    """At a clean stop: hand this instance's browsers over, or stop them and fail their tasks. Side
    by side: one after the other, eight lingering browsers at a second or two each outlasted the
    stop's grace on a loaded host, and the provisioner was killed with them still running."""
    me = p.settings.instance
    mine = [profile for profile in await store.running_profiles(p.db) if profile["holder"] == me]
    await asyncio.gather(*(_leave_one(p, profile) for profile in mine))


async def _leave_one(p: Provisioner, profile: asyncpg.Record) -> None:
    if p.settings.keep_browsers_on_stop:
        await p.locks.release(profile["profile_id"], profile["task_id"])  # another instance adopts it now
    elif profile["lingering_until"] is not None:  # no task works in it: nothing to fail
        await linger.retire(p, profile)
    else:
        await p.pool.stop(await p.pool.spec_of(profile))
        await browser_lost(p, profile, "the provisioner holding the browser stopped")


async def sweep(p: Provisioner, misses: dict[str, int]) -> None:
    running = await store.running_profiles(p.db)
    for gone in set(misses) - {str(profile["profile_id"]) for profile in running}:
        del misses[gone]
    # Every lease first, then the browsers probed side by side: one by one, a sweep of many
    # browsers on a loaded host outlasted the leases (2 s a probe), so the slots and locks of
    # browsers still at work lapsed and more browsers started (seen in the soak: 19 on 4 slots).
    kept = [profile for profile in running if await _keep(p, profile)]
    answers = await asyncio.gather(*(_answers(p, profile) for profile in kept))
    await _settle_all(p, kept)
    kept, answers = await linger.sweep(p, kept, answers)
    for profile, answered in zip(kept, answers, strict=True):
        profile_id = str(profile["profile_id"])
        if answered:
            misses.pop(profile_id, None)
            continue
        misses[profile_id] = misses.get(profile_id, 0) + 1
        if misses[profile_id] >= LOST_AFTER_MISSES:
            del misses[profile_id]
            await browser_lost(p, profile)
        else:
            log.info("the browser of task %s did not answer (%d in a row)", profile["task_id"], misses[profile_id])


async def _settle_all(p: Provisioner, kept: list[asyncpg.Record]) -> None:
    """Parks (or puts back to work) a browser whose move on a wait was missed, after the leases and
    side by side, within a third of the TTL: a slow database must never delay the next renewal."""
    settles = asyncio.gather(*(sharing.settle(p, profile["profile_id"]) for profile in kept))
    try:
        await asyncio.wait_for(settles, p.settings.lock_ttl_s / 3)
    except TimeoutError:
        log.info("reaper: settling %d browsers outlasted %.0f s; next sweep", len(kept), p.settings.lock_ttl_s / 3)


async def _answers(p: Provisioner, profile: asyncpg.Record) -> bool:
    return await p.provider.running(await p.pool.spec_of(profile)) is not None


async def _keep(p: Provisioner, profile: asyncpg.Record) -> bool:
    """True when this instance holds the profile's lock now (it kept it, or took it over)."""
    me, profile_id, task_id = p.settings.instance, profile["profile_id"], profile["task_id"]
    if profile["holder"] != me:
        if await p.locks.holder(profile_id) is not None:
            return False  # its holder is alive
        if not await p.locks.acquire(profile_id, task_id, me):
            return False
        if not await store.take_over(p.db, profile_id, profile["holder"], me):
            await p.locks.release(profile_id, task_id)
            return False
        log.info("took over the browser of task %s from %s", task_id, profile["holder"])
    elif not await p.locks.refresh(profile_id, task_id, me):
        # The lock expired under a stall, or went with its user's deletion since this sweep read the
        # rows: it is taken again only for a browser still on record as ours, checked after taking it
        # (a deletion deletes the rows before the lock, so one of the two always sees the other).
        if not await p.locks.acquire(profile_id, task_id, me):
            return False
        if not await store.take_over(p.db, profile_id, me, me):
            await p.locks.release(profile_id, task_id)
            return False
    await p.gate.renew(str(task_id), int(time.time() * 1000))
    return True
