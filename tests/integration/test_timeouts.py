"""Every wait on PostgreSQL and Redis is bounded, so a stuck dependency fails a handler (an outage,
retried) instead of holding a consumer's slot forever."""

import asyncio
import time

import asyncpg
import pytest
import redis.exceptions

from runtime import cache, db
from runtime.outage import is_outage

pytestmark = pytest.mark.integration


async def test_the_pool_bounds_statements_idle_transactions_and_acquires(fresh_database: str) -> None:
    pool = await db.create_pool(fresh_database, "bounded")
    try:
        assert await pool.fetchval("SHOW statement_timeout") == "30s"
        assert await pool.fetchval("SHOW idle_in_transaction_session_timeout") == "1min"
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 200")
            with pytest.raises(asyncpg.QueryCanceledError):
                await conn.execute("SELECT pg_sleep(5)")
        pool.acquire_timeout_s = 0.3  # type: ignore[attr-defined]
        held = [await pool.acquire() for _ in range(db.POOL_MAX_SIZE)]
        started = time.monotonic()
        with pytest.raises(TimeoutError) as waited:
            await pool.fetchval("SELECT 1")
        assert time.monotonic() - started < 2 and is_outage(waited.value)
        for conn in held:
            await pool.release(conn)
    finally:
        await pool.close()


async def test_a_migration_waits_for_another_instance_only_so_long(fresh_database: str) -> None:
    pool = await db.create_pool(fresh_database, "locked")
    other = await asyncpg.connect(fresh_database)
    try:
        await other.execute("SELECT pg_advisory_lock($1)", db.lock_key("locked"))
        with pytest.raises(TimeoutError, match="schema locked: another instance held the migration lock"):
            await db.migrate(pool, "locked", None, lock_timeout_s=0.5)
        await other.execute("SELECT pg_advisory_unlock($1)", db.lock_key("locked"))
        assert await db.migrate(pool, "locked", None, lock_timeout_s=0.5)  # then it runs
    finally:
        await other.close()
        await pool.close()


async def test_a_redis_that_accepts_and_never_answers_fails_within_the_socket_timeout(redis_url: str) -> None:
    client = await cache.connect(redis_url)
    kwargs = client.connection_pool.connection_kwargs
    await client.aclose()
    assert kwargs["socket_connect_timeout"] == cache.CONNECT_TIMEOUT_S

    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await done.wait()  # reads nothing, answers nothing
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(redis.exceptions.TimeoutError) as stuck:
            await cache.connect(f"redis://127.0.0.1:{port}/0")
    finally:
        done.set()
        server.close()
        await server.wait_closed()
    assert time.monotonic() - started < cache.SOCKET_TIMEOUT_S + 3 and is_outage(stuck.value)
