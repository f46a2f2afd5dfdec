"""Rate limits and browser slots in Redis, checked and taken in one atomic step.

A task may start when its account (user, platform) has had fewer than the platform's hourly limit
of applications in the last hour, its user fewer than the plan's daily limit in the last day, the
account's random spacing since its last application has passed, and a browser slot is free with no
waiting task of higher priority (or the same priority, queued earlier) ahead of it. Windows slide
(sorted sets of start times), so a limit frees up exactly when its oldest entry ages out.

A slot is a browser at work. A browser whose every task waits for a person is kept open for that
person in a budget of its own (`parked`, docs/provisioner.md "Waiting browsers"), so it holds no
slot against another account's first task; it takes a slot again when a task in it drives.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis

from contracts.states import Priority

PREFIX = "provisioner"
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
# Priority rank times this plus the queued time in ms orders the waiting tasks (fits a double).
RANK_SPAN_MS = 10**13
RANKS = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
# Pauses that end when the user passes them, not at a time.
OPEN_REASONS = frozenset({"checkpoint", "two_step"})
# A hold whose end was lost (an executor gone for good) frees the account after a week at most.
HELD_AT_MOST_MS = 7 * DAY_MS

# KEYS: slots, waiting, waiting_seen, account window, user window, account next-allowed, account paused,
# account held (a pause without an end: "<reason> <task that met it>"), parked (waiting browsers).
# ARGV: now, task, slots, lease, account limit, user limit, waiting score, stale after, spacing, shared,
# keeper (the task that keeps the shared browser's slot).
# The account's next-allowed time names the task that set it: that task's own retries pass. So do
# the windows: a task counted once (admitted, then its start failed or its provisioner died, and its
# message came back) is one application, not a second one against the limits.
# A shared task (a tab in the account's running browser) takes no slot of its own: a slot is a
# browser. But a parked browser (every task in it waits for a person) goes back to work with it,
# so it needs a free slot then, which its keeper takes back.
# Returns {0} when the task may start, else {1, reason, until-ms}.
_GATE = """
local now, task = tonumber(ARGV[1]), ARGV[2]
local slots, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
local function counted(nxt)
  redis.call('ZREM', KEYS[2], task)
  redis.call('ZREM', KEYS[3], task)
  redis.call('ZADD', KEYS[4], now, task)
  redis.call('ZADD', KEYS[5], now, task)
  redis.call('PEXPIRE', KEYS[4], 3600000)
  redis.call('PEXPIRE', KEYS[5], 86400000)
  if nxt[2] ~= task then
    redis.call('HSET', KEYS[6], 'until', now + tonumber(ARGV[9]), 'task', task)
    redis.call('PEXPIRE', KEYS[6], math.max(1, tonumber(ARGV[9])))
  end
end
if redis.call('ZSCORE', KEYS[1], task) then
  redis.call('ZADD', KEYS[1], now + lease, task)
  return {0, '', 0}
end
local paused = tonumber(redis.call('GET', KEYS[7]) or '0')
if paused > now then return {1, 'account_paused', paused} end
local held = redis.call('GET', KEYS[8])
if held then
  local reason, holder = string.match(held, '^(%S+) (%S+)$')
  if holder ~= task then return {1, reason, 0} end
end
local nxt = redis.call('HMGET', KEYS[6], 'until', 'task')
if tonumber(nxt[1] or '0') > now and nxt[2] ~= task then return {1, 'spacing', tonumber(nxt[1])} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 3600000)
if not redis.call('ZSCORE', KEYS[4], task) and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  return {1, 'account_hourly', tonumber(oldest[2]) + 3600000}
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 86400000)
if not redis.call('ZSCORE', KEYS[5], task) and redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[6]) then
  local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {1, 'user_daily', tonumber(oldest[2]) + 86400000}
end
local keeper = ARGV[11]
if ARGV[10] == '1' and not redis.call('ZSCORE', KEYS[9], keeper) then
  counted(nxt)
  return {0, '', 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[8]))
for _, gone in ipairs(stale) do
  redis.call('ZREM', KEYS[2], gone)
  redis.call('ZREM', KEYS[3], gone)
end
local score = tonumber(ARGV[7])
local ahead = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. score)
if ahead < slots - redis.call('ZCARD', KEYS[1]) then
  if ARGV[10] == '1' then
    redis.call('ZREM', KEYS[9], keeper)
    redis.call('ZADD', KEYS[1], now + lease, keeper)
  else
    redis.call('ZADD', KEYS[1], now + lease, task)
  end
  counted(nxt)
  return {0, '', 0}
end
redis.call('ZADD', KEYS[2], 'NX', score, task)
redis.call('ZADD', KEYS[3], now, task)
return {1, 'slots', 0}
"""


# KEYS: the account's pause. ARGV: until (ms). A pause only ever grows: a shorter one arriving late
# (or a checkpoint's end) does not cut a daily limit short.
_PAUSE = """
local ends = tonumber(ARGV[1])
if ends > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ends, 'PXAT', ends)
  return 1
end
return 0
"""

# KEYS: slots, parked. ARGV: keeper, now, lease, waiting ('1': every task in its browser waits for a
# person), the parked budget. A waiting browser moves from the slots to the parked set while the
# budget has room (else it keeps its slot, as before there was one); a browser at work again moves
# back, even past the slots: the person came and its task goes on. Renews the lease either way.
# Returns where the browser is now: 'slot', 'parked', or 'none' (it holds neither: it stopped).
_SETTLE = """
local task, now, lease, waiting = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local ends = now + lease
if redis.call('ZSCORE', KEYS[1], task) then
  if waiting then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
    if redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[5]) then
      redis.call('ZREM', KEYS[1], task)
      redis.call('ZADD', KEYS[2], ends, task)
      return 'parked'
    end
  end
  redis.call('ZADD', KEYS[1], ends, task)
  return 'slot'
end
if redis.call('ZSCORE', KEYS[2], task) then
  if waiting then
    redis.call('ZADD', KEYS[2], ends, task)
    return 'parked'
  end
  redis.call('ZREM', KEYS[2], task)
  redis.call('ZADD', KEYS[1], ends, task)
  return 'slot'
end
return 'none'
"""

# KEYS: slots, parked. ARGV: old keeper, new keeper, lease end. The place moves within its set; a
# keeper found in neither gives the new one a slot (the browser works).
_HAND_OVER = """
for _, key in ipairs(KEYS) do
  if redis.call('ZREM', key, ARGV[1]) == 1 then
    redis.call('ZADD', key, ARGV[3], ARGV[2])
    return 1
  end
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
return 0
"""
SLOTS_KEY = f"{PREFIX}:slots"  # browsers at work, by keeper task: lease end (ms)
PARKED_KEY = f"{PREFIX}:parked"  # browsers whose every task waits for a person, the same way


@dataclass(frozen=True)
class Ask:
    task_id: str
    user_id: str
    platform: str
    priority: Priority
    queued_ms: int
    account_limit: int
    user_limit: int
    spacing_ms: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # account_paused, checkpoint, two_step, spacing, account_hourly, user_daily, slots
    until_ms: int = 0  # 0 when nobody can say (a slot frees when some task ends)

    def describe(self, platform: str, slots: int) -> str:
        until = (
            datetime.fromtimestamp(self.until_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if self.until_ms else ""
        )
        return {
            "account_paused": f"waiting: {platform} paused this account, until {until}",
            "checkpoint": f"waiting: {platform} asks this account for a security check",
            "two_step": f"waiting: {platform} asks this account for two-step verification",
            "spacing": f"waiting: spacing between applications on this {platform} account, until {until}",
            "account_hourly": f"waiting: {platform} hourly limit for this account, until {until}",
            "user_daily": f"waiting: daily limit of the user's plan, until {until}",
            "slots": f"waiting: all {slots} browser slots are busy",
        }.get(self.reason, self.reason)


class Gate:
    def __init__(self, client: aioredis.Redis, slots: int, lease_ms: int, stale_ms: int, parked: int = 0) -> None:
        self.redis, self.slots, self.lease_ms, self.stale_ms = client, slots, lease_ms, stale_ms
        self.parked = parked  # browsers kept open beyond the slots, each for a person (0: none)
        self._script = client.register_script(_GATE)
        self._pause = client.register_script(_PAUSE)
        self._settle = client.register_script(_SETTLE)
        self._hand_over = client.register_script(_HAND_OVER)

    async def ask(self, ask: Ask, now_ms: int, shared: bool = False, keeper: str = "") -> Verdict:
        """May the task start now? `shared`: it would work in the account's running browser, whose
        slot `keeper` keeps (no slot of its own; the keeper's again if the browser was parked)."""
        keys = [
            SLOTS_KEY,
            f"{PREFIX}:waiting",
            f"{PREFIX}:waiting:seen",
            f"{PREFIX}:window:account:{ask.platform}:{ask.user_id}",
            f"{PREFIX}:window:user:{ask.user_id}",
            f"{PREFIX}:next:{ask.platform}:{ask.user_id}",
            paused_key(ask.platform, ask.user_id),
            held_key(ask.platform, ask.user_id),
            PARKED_KEY,
        ]
        score = RANKS[ask.priority] * RANK_SPAN_MS + ask.queued_ms
        args: list[int | str] = [
            now_ms,
            ask.task_id,
            self.slots,
            self.lease_ms,
            ask.account_limit,
            ask.user_limit,
            score,
            self.stale_ms,
            ask.spacing_ms,
            int(shared),
            keeper,
        ]
        answer = await self._script(keys=keys, args=args)
        if int(answer[0]) == 0:
            return Verdict(True)
        return Verdict(False, str(answer[1]), int(answer[2]))

    async def pause(self, platform: str, user_id: str, until_ms: int, now_ms: int) -> bool:
        """No task of the account gets a browser before until_ms; False when it changed nothing."""
        if until_ms <= now_ms:
            return False
        return bool(await self._pause(keys=[paused_key(platform, user_id)], args=[until_ms]))

    async def hold(self, platform: str, user_id: str, reason: str, task_id: str) -> None:
        """A pause without an end (a checkpoint only the user can pass): the account's other tasks
        get no browser, not even one lent by the task that met it, until it ends or that task does."""
        if reason not in OPEN_REASONS:
            raise ValueError(f"not a pause that waits for the user: {reason!r}")
        await self.redis.set(held_key(platform, user_id), f"{reason} {task_id}", px=HELD_AT_MOST_MS)

    async def held(self, platform: str, user_id: str, task_id: str) -> Verdict | None:
        """The hold that keeps this task from the account's browser, or None."""
        found = await self.redis.get(held_key(platform, user_id))
        reason, _, holder = str(found or "").partition(" ")
        return Verdict(False, reason) if found and holder != task_id else None

    async def unhold(self, platform: str, user_id: str) -> bool:
        """The user passed it (the executor said so with an until that has come)."""
        return bool(await self.redis.delete(held_key(platform, user_id)))

    async def unhold_task(self, user_id: str, task_id: str) -> int:
        """The task that met the pause ended without passing it: the account's next task gets the
        browser, meets the checkpoint itself and waits for the user in its turn."""
        gone = 0
        async for key in self.redis.scan_iter(match=held_key("*", user_id), count=100):
            value = str(await self.redis.get(key) or "")
            if value.endswith(f" {task_id}"):
                gone += int(await self.redis.delete(key))
        return gone

    async def renew(self, task_id: str, now_ms: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(SLOTS_KEY, {task_id: now_ms + self.lease_ms}, xx=True)
            pipe.zadd(PARKED_KEY, {task_id: now_ms + self.lease_ms}, xx=True)
            await pipe.execute()

    async def settle(self, keeper: str, waiting: bool, now_ms: int) -> str:
        """The keeper's browser waits for a person (parked, while the budget has room) or works (a
        slot): 'slot', 'parked', or 'none' when it holds neither. Renews its lease."""
        args: list[int | str] = [keeper, now_ms, self.lease_ms, int(waiting), self.parked]
        return str(await self._settle(keys=[SLOTS_KEY, PARKED_KEY], args=args))

    async def hand_over(self, old_task: str, new_task: str, now_ms: int) -> None:
        """The browser's slot (or parked place) goes with the browser to the task that keeps it now."""
        await self._hand_over(keys=[SLOTS_KEY, PARKED_KEY], args=[old_task, new_task, now_ms + self.lease_ms])

    async def free(self, task_id: str) -> None:
        """Gives the task's slot (or parked place) back, and forgets it as a waiter."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(SLOTS_KEY, task_id)
            pipe.zrem(PARKED_KEY, task_id)
            pipe.zrem(f"{PREFIX}:waiting", task_id)
            pipe.zrem(f"{PREFIX}:waiting:seen", task_id)
            await pipe.execute()

    async def forget_user(self, user_id: str, task_ids: list[str]) -> int:
        """Deletes the user's windows and spacing (every platform) and their tasks' slots; returns keys gone."""
        keys = [f"{PREFIX}:window:user:{user_id}"]
        patterns = (
            f"{PREFIX}:window:account:*:{user_id}",
            f"{PREFIX}:next:*:{user_id}",
            paused_key("*", user_id),
            held_key("*", user_id),
        )
        for pattern in patterns:
            keys += [str(k) async for k in self.redis.scan_iter(match=pattern, count=500)]
        for task_id in task_ids:
            await self.free(task_id)
        return int(await self.redis.delete(*keys))

    async def waiting_for_slots(self, now_ms: int) -> int:
        """Tasks in the waiting line for a slot, seen lately (a waiter gone is not counted)."""
        return int(await self.redis.zcount(f"{PREFIX}:waiting:seen", now_ms - self.stale_ms, "+inf"))

    async def in_use(self, now_ms: int) -> int:
        """Browsers at work (slots taken)."""
        return int(await self.redis.zcount(SLOTS_KEY, now_ms, "+inf"))

    async def parked_now(self, now_ms: int) -> int:
        """Browsers kept open for a person, beyond the slots."""
        return int(await self.redis.zcount(PARKED_KEY, now_ms, "+inf"))


def paused_key(platform: str, user_id: str) -> str:
    return f"{PREFIX}:paused:{platform}:{user_id}"


def held_key(platform: str, user_id: str) -> str:
    return f"{PREFIX}:held:{platform}:{user_id}"
