"""Exactly once against a real PostgreSQL: one executor per task, one recorded attempt per job."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from contracts.states import TaskState
from runtime import db
from services.executor import attempts, store
from tests.support import queued_event

pytestmark = pytest.mark.integration
MIGRATIONS = Path(attempts.__file__).parent / "migrations"


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    made = await db.create_pool(fresh_database, "executor")
    await db.migrate(made, "executor", MIGRATIONS)
    try:
        yield made
    finally:
        await made.close()


async def test_only_one_of_two_executors_claims_a_task(pool: asyncpg.Pool) -> None:
    task = uuid.uuid4()
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def first() -> bool:
        async with attempts.claim(pool, task) as held:
            inside.set()
            await leave.wait()
            return held

    holder = asyncio.create_task(first())
    await inside.wait()
    async with attempts.claim(pool, task) as second:
        assert second is False
    async with attempts.claim(pool, uuid.uuid4()) as other_task:
        assert other_task is True  # a claim is per task
    leave.set()
    assert await holder is True
    async with attempts.claim(pool, task) as after:
        assert after is True  # released when the holder is done


async def test_a_crashed_holder_releases_its_claim(pool: asyncpg.Pool, fresh_database: str) -> None:
    task = uuid.uuid4()
    crashed = await asyncpg.connect(fresh_database)
    await crashed.fetchval("SELECT pg_try_advisory_lock($1)", attempts._lock_key(task))
    async with attempts.claim(pool, task) as held:
        assert held is False
    crashed.terminate()  # the process died: its socket closes, PostgreSQL ends the session
    for _ in range(50):
        async with attempts.claim(pool, task) as held:
            if held:
                break
        await asyncio.sleep(0.05)
    assert held is True


async def test_the_second_attempt_for_a_job_is_refused_and_names_the_first(pool: asyncpg.Pool) -> None:
    user, task, again = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first = await attempts.record(pool, task, user, "greenhouse:acme:42", "a-1", "executor-1")
    assert first is not None and first.new and first.outcome is None
    redelivered = await attempts.record(pool, task, user, "greenhouse:acme:42", "a-2", "executor-2")
    assert not redelivered.new and redelivered.attempt_id == "a-1" and redelivered.clicked_by == "executor-1"
    other_task_same_job = await attempts.record(pool, again, user, "greenhouse:acme:42", "a-3", "executor-1")
    assert not other_task_same_job.new and other_task_same_job.task_id == task
    other_user = await attempts.record(pool, uuid.uuid4(), uuid.uuid4(), "greenhouse:acme:42", "a-4", "executor-1")
    assert other_user.new


async def test_an_attempt_is_settled_once(pool: asyncpg.Pool) -> None:
    task = uuid.uuid4()
    await attempts.record(pool, task, uuid.uuid4(), "lever:acme:7", "a-1", "executor-1")
    assert await attempts.settle(pool, task, "submitted") is True
    assert await attempts.settle(pool, task, "unknown") is False
    found = await attempts.find(pool, task)
    assert found is not None and found.outcome == "submitted"


async def test_a_cancelled_task_records_no_attempt_and_a_late_cancel_finds_the_one_made(pool: asyncpg.Pool) -> None:
    user, cancelled, sent = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as conn, conn.transaction():
        assert await attempts.cancel(conn, cancelled, user) is True
    assert await attempts.record(pool, cancelled, user, "lever:acme:8", "a-1", "executor-1") is None
    assert await attempts.find(pool, cancelled) is None
    made = await attempts.record(pool, sent, user, "lever:acme:9", "a-2", "executor-1")
    assert made is not None and made.new
    async with pool.acquire() as conn, conn.transaction():
        assert await attempts.cancel(conn, sent, user) is False  # the application went out before the cancel


async def test_a_cancel_that_commits_while_the_attempt_waits_stops_the_click(pool: asyncpg.Pool) -> None:
    """The two come through two consumers and may overlap: the attempt waits for the cancel's lock
    and then sees it, instead of recording an attempt the cancel could not see."""
    user, task = uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as conn:
        cancelling = conn.transaction()
        await cancelling.start()
        assert await attempts.cancel(conn, task, user) is True
        trying = asyncio.create_task(attempts.record(pool, task, user, "lever:acme:10", "a-1", "executor-1"))
        await asyncio.sleep(0.3)
        assert not trying.done()
        await cancelling.commit()
    assert await asyncio.wait_for(trying, 10) is None
    assert await attempts.find(pool, task) is None


async def test_task_queued_after_its_cancel_keeps_the_task_finished(pool: asyncpg.Pool) -> None:
    queued = queued_event()
    async with pool.acquire() as conn, conn.transaction():
        await attempts.cancel(conn, queued.task_id, queued.user_id)
    async with pool.acquire() as conn:
        await store.save_queued(conn, queued, "executor-1")
        task = await store.get(conn, queued.task_id)
        other = queued_event()
        await store.save_queued(conn, other, "executor-1")
        fresh = await store.get(conn, other.task_id)
    assert task is not None and task.finished and task.state is TaskState.CANCELLED
    assert fresh is not None and not fresh.finished and fresh.state is TaskState.QUEUED
