"""Keeps the locks of this instance's browsers alive, takes over those of a crashed instance, and
notices a browser that died under its task."""

import asyncio
import logging
import time

import asyncpg

from services.provisioner import store
from services.provisioner.handlers import Provisioner, browser_lost
from services.provisioner.providers import ProfileSpec

log = logging.getLogger(__name__)
# How long after a browser first looked gone it is looked at again, before its task fails.
RECHECK_S = 1.0


async def run(p: Provisioner) -> None:
    try:
        while True:
            try:
                await sweep(p)
            except (OSError, asyncpg.PostgresError, ConnectionError) as exc:  # an outage: try again next round
                log.warning("reaper: sweep failed, will retry: %r", exc)
            await asyncio.sleep(p.settings.lock_ttl_s / 3)
    finally:
        await asyncio.shield(leave(p))


async def leave(p: Provisioner) -> None:
    """At a clean stop: hand this instance's browsers over, or stop them and fail their tasks."""
    me = p.settings.instance
    for profile in await store.running_profiles(p.db):
        if profile["holder"] != me:
            continue
        if p.settings.keep_browsers_on_stop:
            await p.locks.release(profile["profile_id"], profile["task_id"])  # another instance adopts it now
            continue
        await p.pool.stop(await p.pool.spec_of(profile))
        await browser_lost(p, profile, "the provisioner holding the browser stopped")


async def sweep(p: Provisioner) -> None:
    for profile in await store.running_profiles(p.db):
        if await _keep(p, profile):
            spec = await p.pool.spec_of(profile)
            if await p.provider.running(spec) is None and await _still_gone(p, spec):
                await browser_lost(p, profile)


async def _still_gone(p: Provisioner, spec: ProfileSpec) -> bool:
    """A browser busy on a loaded machine can miss one DevTools answer (a 2 s timeout); a dead one
    misses the second look too."""
    await asyncio.sleep(RECHECK_S)
    return await p.provider.running(spec) is None


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
    elif not await p.locks.refresh(profile_id, task_id, me) and not await p.locks.acquire(profile_id, task_id, me):
        return False
    await p.gate.renew(str(task_id), int(time.time() * 1000))
    return True
