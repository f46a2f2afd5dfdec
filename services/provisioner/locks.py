"""Profile locks in Redis: a profile's browser runs for its account's tasks under one lock, and a
crashed holder's lock expires.

The lock's value is "<task id> <instance>": the task that keeps the browser (the first of the tasks
it serves; when that one ends before the others, the next one, `hand_over`) and who keeps it alive.
The holder refreshes it every third of its TTL; when the holder dies, it expires and any instance
may take it.
"""

import redis.asyncio as aioredis

from services.provisioner.limits import PREFIX

# Compare-and-set scripts, so an instance never extends or deletes a lock it does not hold.
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_HAND_OVER = """
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[1])) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 0
"""
_RELEASE = """
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def key(profile_id: object) -> str:
    return f"{PREFIX}:lock:profile:{profile_id}"


def value(task_id: object, instance: str) -> str:
    return f"{task_id} {instance}"


class Locks:
    def __init__(self, client: aioredis.Redis, ttl_ms: int) -> None:
        self.redis, self.ttl_ms = client, ttl_ms
        self._refresh = client.register_script(_REFRESH)
        self._release = client.register_script(_RELEASE)
        self._hand_over = client.register_script(_HAND_OVER)

    async def acquire(self, profile_id: object, task_id: object, instance: str) -> bool:
        """True when this task now holds the profile (also when it already did)."""
        mine = value(task_id, instance)
        if await self.redis.set(key(profile_id), mine, nx=True, px=self.ttl_ms):
            return True
        held = await self.holder(profile_id)
        if held is not None and held.split(" ")[0] == str(task_id):
            await self.redis.set(key(profile_id), mine, px=self.ttl_ms)  # the same task, a new keeper
            return True
        return False

    async def refresh(self, profile_id: object, task_id: object, instance: str) -> bool:
        return bool(await self._refresh(keys=[key(profile_id)], args=[value(task_id, instance), self.ttl_ms]))

    async def hand_over(self, profile_id: object, old_task: str, new_task: str, instance: str) -> bool:
        """The lock passes from the task that kept the browser to the next one it serves."""
        args: list[str | int] = [f"{old_task} ", value(new_task, instance), self.ttl_ms]
        return bool(await self._hand_over(keys=[key(profile_id)], args=args))

    async def release(self, profile_id: object, task_id: object) -> None:
        await self._release(keys=[key(profile_id)], args=[f"{task_id} "])

    async def forget(self, profile_id: object) -> None:
        """Drops the lock whoever holds it: the profile itself is being deleted with its user."""
        await self.redis.delete(key(profile_id))

    async def holder(self, profile_id: object) -> str | None:
        held = await self.redis.get(key(profile_id))
        return str(held) if held is not None else None
