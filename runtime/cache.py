"""Redis: rate limits, locks and queue ordering. One client per process."""

import redis.asyncio as aioredis


async def connect(url: str) -> aioredis.Redis:
    client = aioredis.from_url(url, decode_responses=True, health_check_interval=10)
    await client.ping()
    return client


async def healthy(client: aioredis.Redis) -> bool:
    return bool(await client.ping())
