"""The per-user daily quota of new tasks, by plan, counted in Redis per UTC day."""

import weakref
from datetime import UTC, datetime, timedelta
from uuid import UUID

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from services.intake.errors import ApiError

# Tasks a user may start per UTC day: the plans of the original design.
DAILY_LIMIT = {"free": 5, "pro": 50}
# A day's counter outlives its day a little, so a clock skew between instances cannot reset it.
KEEP_S = 2 * 24 * 3600
# Count, keep and refuse in one round trip; a refused task is not counted (0 says refused).
_TAKE = """
local used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if used > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return used
"""


# The script object of each client, made once: making it hashes the script's text every time.
_scripts: "weakref.WeakKeyDictionary[aioredis.Redis, AsyncScript]" = weakref.WeakKeyDictionary()


def _take_script(redis: aioredis.Redis) -> AsyncScript:
    script = _scripts.get(redis)
    if script is None:
        script = _scripts[redis] = redis.register_script(_TAKE)
    return script


def key(user_id: UUID, now: datetime) -> str:
    return f"quota:tasks:{user_id}:{now:%Y%m%d}"


def seconds_to_midnight(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds() + 0.999))


async def take(redis: aioredis.Redis, user_id: UUID, plan: str) -> None:
    """Counts one task against today's quota, or raises 429 with Retry-After (and counts nothing)."""
    now = datetime.now(UTC)
    limit = DAILY_LIMIT.get(plan, DAILY_LIMIT["free"])
    used = await _take_script(redis)(keys=[key(user_id, now)], args=[limit, KEEP_S])
    if not int(used):
        wait = seconds_to_midnight(now)
        raise ApiError(
            429,
            "quota_exceeded",
            f"the {plan} plan starts at most {limit} tasks a day; try again in {wait} s",
            headers={"Retry-After": str(wait)},
            limit=limit,
            retry_after_s=wait,
        )


async def give_back(redis: aioredis.Redis, user_id: UUID) -> None:
    """Undoes take() for a task that was not accepted after all (duplicate, database error)."""
    await redis.decr(key(user_id, datetime.now(UTC)))
