"""Hourly trimming of each service's runtime tables, so they stay the size of recent work."""

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)

EVERY_S = 3600.0
# Sent outbox rows are kept a day for inspection.
KEEP_SENT_DAYS = 1
# Inbox rows must outlive any redelivery: max_deliver x backoff is minutes, a dead letter waits
# for replay up to its stream's 30 days.
KEEP_PROCESSED_DAYS = 31


async def trim(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM outbox WHERE sent_at < now() - make_interval(days => $1)", KEEP_SENT_DAYS)
        await conn.execute(
            "DELETE FROM processed_events WHERE processed_at < now() - make_interval(days => $1)", KEEP_PROCESSED_DAYS
        )


async def run(pool: asyncpg.Pool) -> None:
    while True:
        try:
            await trim(pool)
        except (OSError, asyncpg.PostgresError) as exc:  # the database is away; try next round
            log.warning("housekeeping skipped: %r", exc)
        await asyncio.sleep(EVERY_S)
