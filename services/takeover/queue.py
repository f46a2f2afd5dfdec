"""The operators' queue in Redis: open interventions ordered by task priority, then age; and claims.

PostgreSQL is the record; Redis holds the order and who works on what. A claim is a key with a TTL
that the operator's open page keeps alive: a claim that is abandoned (a closed tab, a crashed
laptop) expires and the intervention is back in the queue for everyone.
"""

from uuid import UUID

import redis.asyncio as aioredis

from services.takeover.store import Intervention

QUEUE_KEY = "takeover:queue"
CLAIM_PREFIX = "takeover:claim:"
# A claim lives this long without a heartbeat from the operator's page (it beats every 10 s).
CLAIM_TTL_S = 30
# Higher priority first; inside one priority, the oldest first.
_RANK = {"high": 0, "normal": 1, "low": 2}
_AGE_SPAN = 10**13  # milliseconds since the epoch fit below this until the year 2286

# Only the holder may extend or drop its claim.
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def score(priority: str, created_ms: int) -> float:
    return float(_RANK.get(priority, 1) * _AGE_SPAN + created_ms)


def _claim_key(intervention_id: UUID) -> str:
    return f"{CLAIM_PREFIX}{intervention_id}"


async def add(redis: aioredis.Redis, item: Intervention) -> None:
    created_ms = int(item.created_at.timestamp() * 1000)
    await redis.zadd(QUEUE_KEY, {str(item.intervention_id): score(item.priority, created_ms)})


async def remove(redis: aioredis.Redis, *intervention_ids: UUID) -> None:
    if intervention_ids:
        await redis.zrem(QUEUE_KEY, *(str(i) for i in intervention_ids))
        await redis.delete(*(_claim_key(i) for i in intervention_ids))


async def rebuild(redis: aioredis.Redis, open_items: list[Intervention]) -> None:
    """Makes the Redis order match the record (after a Redis restart, or a missed update)."""
    wanted = {str(i.intervention_id) for i in open_items}
    present = {str(i) for i in await redis.zrange(QUEUE_KEY, 0, -1)}
    if stale := present - wanted:
        await redis.zrem(QUEUE_KEY, *stale)
    for item in open_items:
        if str(item.intervention_id) not in present:
            await add(redis, item)


async def ordered(redis: aioredis.Redis) -> list[UUID]:
    return [UUID(str(i)) for i in await redis.zrange(QUEUE_KEY, 0, -1)]


async def claims(redis: aioredis.Redis, intervention_ids: list[UUID]) -> dict[UUID, str]:
    if not intervention_ids:
        return {}
    holders = await redis.mget([_claim_key(i) for i in intervention_ids])
    return {i: str(h) for i, h in zip(intervention_ids, holders, strict=True) if h}


async def claim(redis: aioredis.Redis, intervention_id: UUID, operator: str) -> bool:
    """True if the operator holds the claim now (a new claim, or their own renewed)."""
    key = _claim_key(intervention_id)
    if await redis.set(key, operator, nx=True, ex=CLAIM_TTL_S):
        return True
    return bool(await redis.eval(_REFRESH, 1, key, operator, CLAIM_TTL_S))


async def holder(redis: aioredis.Redis, intervention_id: UUID) -> str | None:
    value = await redis.get(_claim_key(intervention_id))
    return str(value) if value else None


async def release(redis: aioredis.Redis, intervention_id: UUID, operator: str) -> bool:
    return bool(await redis.eval(_RELEASE, 1, _claim_key(intervention_id), operator))
