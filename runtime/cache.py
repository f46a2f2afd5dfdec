"""Redis: rate limits, locks and queue ordering. One client per process."""

import redis.asyncio as aioredis

# A command or a connect that gets no answer fails (retried as an outage) instead of hanging.
SOCKET_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 5.0


async def connect(url: str) -> aioredis.Redis:
    client = aioredis.from_url(
        url,
        decode_responses=True,
        health_check_interval=10,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
    )
    try:
        await client.ping()
    except Exception:
        await client.aclose()
        raise
    return client


async def healthy(client: aioredis.Redis) -> bool:
    return bool(await client.ping())
