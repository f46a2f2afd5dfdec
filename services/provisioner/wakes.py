"""Tasks waiting for a browser slot wait in their handler, and are woken when a slot frees for them.

A task refused a slot used to come back by a delayed nak every few seconds, and each return was a
whole handler run (its transactions, the profile's claim, the gate, the bus's outage lookup, the
nak): with 180 tasks waiting, about 36 runs a second on two cores, taking the CPU from the tasks
that had a browser (seen in the soak). Now the handler waits in place (the bus heartbeats its
message meanwhile), and one loop per instance asks Redis, once a second and in one script for
all of the instance's waiters, whether a slot is free for any of them: the head of the waiting
line, as many as there are free slots, woken to ask the gate again; the rest wait on. The script
also tells the gate that they still wait, so a waiter in place never counts as gone.

A wait lasts at most `slot_hold_s`; the message then goes back by a short nak and comes back to
wait again, so no wait outlives its handler's `max_run_s`. When the service stops, every waiter
is let go at once, and its message goes to another instance without waiting out the grace.
"""

import asyncio
import logging
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from services.provisioner.limits import PREFIX

log = logging.getLogger(__name__)

# How often an instance asks whether a slot is free for one of its waiters: a freed slot waits at
# most this long for its next task, and an instance with waiters makes one Redis call this often.
WAKE_POLL_S = 1.0
# After a wait in place ran out, the message comes back this soon to wait again.
RETURN_AFTER_HOLD_S = 0.5

# KEYS: slots, waiting, waiting_seen. ARGV: now, slots, stale after (ms), then the instance's waiters.
# Marks the given waiters as seen now (those still in the line), drops waiters nobody vouched for
# in `stale` ms (their instance died: the gate does the same), and returns the head of the line,
# as many as there are free slots (leases that lapsed are free, as in the gate).
_HEADS = """
local now, slots, stale = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then redis.call('ZADD', KEYS[3], now, ARGV[i]) end
end
local free = slots - redis.call('ZCOUNT', KEYS[1], now, '+inf')
if free <= 0 then return {} end
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - stale)) do
  redis.call('ZREM', KEYS[2], gone)
  redis.call('ZREM', KEYS[3], gone)
end
return redis.call('ZRANGE', KEYS[2], 0, free - 1)
"""
KEYS = [f"{PREFIX}:slots", f"{PREFIX}:waiting", f"{PREFIX}:waiting:seen"]


class Waiters:
    """The tasks of this instance waiting in place for a slot."""

    def __init__(self, client: aioredis.Redis, slots: int, stale_ms: int, poll_s: float = WAKE_POLL_S) -> None:
        self.slots, self.stale_ms, self.poll_s = slots, stale_ms, poll_s
        self._heads = client.register_script(_HEADS)
        self._woken: dict[str, asyncio.Event] = {}
        self.closing = False

    def __len__(self) -> int:
        return len(self._woken)

    async def wait(self, task_id: str, timeout_s: float) -> bool:
        """True when a slot may be free for the task now; False after timeout_s, or when stopping."""
        if self.closing or timeout_s <= 0:
            return False
        woken = self._woken[task_id] = asyncio.Event()
        try:
            async with asyncio.timeout(timeout_s):
                await woken.wait()
        except TimeoutError:
            return False
        finally:
            if self._woken.get(task_id) is woken:
                del self._woken[task_id]
        return not self.closing

    async def run(self, stopping: Callable[[], bool]) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            if stopping():
                self.close()
            elif self._woken:
                await self.wake_heads()

    async def wake_heads(self) -> int:
        """Wakes this instance's waiters at the head of the line; returns how many."""
        waiting = list(self._woken)
        try:
            heads = await self._heads(keys=KEYS, args=[int(time.time() * 1000), self.slots, self.stale_ms, *waiting])
        except (RedisError, OSError) as exc:  # Redis away: they wait on, and their hold still ends
            log.debug("waking waiters failed: %r", exc)
            return 0
        woken = [self._woken[t] for t in map(str, heads) if t in self._woken]
        for event in woken:
            event.set()
        return len(woken)

    def close(self) -> None:
        """Lets every waiter go: the service stops."""
        self.closing = True
        for event in self._woken.values():
            event.set()
