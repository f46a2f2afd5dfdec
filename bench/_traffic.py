"""The work around the applications on the servers: PostgreSQL transactions, Redis commands and NATS
messages, read from each server's own counters before and after a level, per application.

Each is a round trip (or a delivery) some service made; the counts do not depend on how loaded the
machine is, so runs on a shared machine compare. The readings themselves add one transaction, two
commands and nothing on the bus.
"""

from __future__ import annotations

import asyncpg
import httpx
import redis.asyncio as aioredis

# The counters read: PostgreSQL's committed and rolled-back transactions of every database (the
# services' statements outside a transaction are one each), Redis's commands of every client, and
# the messages nats-server took in and sent out (a published event, its JetStream ack, each delivery).
PG_SQL = "SELECT sum(xact_commit + xact_rollback)::bigint FROM pg_stat_database"


async def reading(dsn: str, redis_url: str, nats_monitor_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        pg = int(await conn.fetchval(PG_SQL) or 0)
    finally:
        await conn.close()
    client = aioredis.from_url(redis_url)
    try:
        stats = await client.info("stats")
    finally:
        await client.aclose()
    async with httpx.AsyncClient(timeout=10) as http:
        varz = (await http.get(f"{nats_monitor_url}/varz")).json()
    return {
        "pg_transactions": pg,
        "redis_commands": int(stats["total_commands_processed"]),
        "nats_msgs_in": int(varz["in_msgs"]),
        "nats_msgs_out": int(varz["out_msgs"]),
    }


def per_app(before: dict[str, int], after: dict[str, int], applications: int) -> dict[str, float]:
    if not applications:
        return {}
    return {name: round((after[name] - before[name]) / applications, 1) for name in after}
