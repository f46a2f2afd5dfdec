"""takeover's record on a real PostgreSQL: a task's priority (task.queued) and its request for help
come through two consumers, so their transactions can overlap; whichever commits second must see
the other's work, or the request keeps the wrong place in the queue for good."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts.states import Priority
from runtime import db
from services.takeover import store
from services.takeover.app import MIGRATIONS
from tests.support import queued_event

pytestmark = pytest.mark.integration

SCHEMA = "takeover"


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(fresh_database, SCHEMA)
    await db.migrate(pool, SCHEMA, MIGRATIONS)
    try:
        yield pool
    finally:
        await pool.close()


async def open_request(conn: asyncpg.Connection, task_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID:
    intervention_id = uuid.uuid4()
    await store.open_intervention(
        conn,
        intervention_id=intervention_id,
        task_id=task_id,
        user_id=user_id,
        kind="captcha",
        reason="a CAPTCHA",
        page_url=None,
        questions=[],
        screenshot_uri=None,
        resume_state="EXECUTING_RPA",
        trace_id=None,
        wait_s=300,
    )
    return intervention_id


async def priority(pool: asyncpg.Pool, intervention_id: uuid.UUID) -> str:
    return str(await pool.fetchval("SELECT priority FROM interventions WHERE intervention_id = $1", intervention_id))


async def test_a_request_opened_while_its_priority_is_uncommitted_takes_that_priority(pool: asyncpg.Pool) -> None:
    queued = queued_event(priority=Priority.HIGH)
    async with pool.acquire() as first, pool.acquire() as second:
        fact = first.transaction()
        await fact.start()
        await store.task_queued(first, queued)
        assert await store.reprioritise(first, queued) == []  # no request yet, as far as it can see

        async def ask() -> uuid.UUID:
            async with second.transaction():
                return await open_request(second, queued.task_id, queued.user_id)

        asking = asyncio.create_task(ask())
        await asyncio.sleep(0.3)
        assert not asking.done()  # it waits for the task's row instead of reading it without the priority
        await fact.commit()
        intervention_id = await asyncio.wait_for(asking, 10)
    assert await priority(pool, intervention_id) == "high"


async def test_a_priority_learnt_while_the_request_is_uncommitted_moves_the_request(pool: asyncpg.Pool) -> None:
    queued = queued_event(priority=Priority.HIGH)
    async with pool.acquire() as first, pool.acquire() as second:
        request = first.transaction()
        await request.start()
        intervention_id = await open_request(first, queued.task_id, queued.user_id)

        async def learn() -> list[uuid.UUID]:
            async with second.transaction():
                await store.task_queued(second, queued)
                return await store.reprioritise(second, queued)

        learning = asyncio.create_task(learn())
        await asyncio.sleep(0.3)
        assert not learning.done()
        await request.commit()
        moved = await asyncio.wait_for(learning, 10)
    assert moved == [intervention_id]  # the handler puts it in its new place in the queue
    assert await priority(pool, intervention_id) == "high"
    async with pool.acquire() as conn:
        job_url = await conn.fetchval("SELECT job_url FROM tasks WHERE task_id = $1", queued.task_id)
    assert job_url == str(queued.job_url)  # the placeholder row took task.queued's facts


async def test_a_request_for_a_task_cancelled_meanwhile_opens_closed(pool: asyncpg.Pool) -> None:
    queued = queued_event()
    async with pool.acquire() as first, pool.acquire() as second:
        cancel = first.transaction()
        await cancel.start()
        assert await store.cancel_task(first, queued.task_id, queued.user_id) == []

        async def ask() -> list[uuid.UUID] | None:
            async with second.transaction():
                return await store.open_intervention(
                    second,
                    intervention_id=uuid.uuid4(),
                    task_id=queued.task_id,
                    user_id=queued.user_id,
                    kind="captcha",
                    reason="a CAPTCHA",
                    page_url=None,
                    questions=[],
                    screenshot_uri=None,
                    resume_state="EXECUTING_RPA",
                    trace_id=None,
                    wait_s=300,
                )

        asking = asyncio.create_task(ask())
        await asyncio.sleep(0.3)
        assert not asking.done()
        await cancel.commit()
        assert await asyncio.wait_for(asking, 10) is None  # nobody is asked for a cancelled task
    assert await store.open_of_task(pool, queued.task_id) is None


async def test_a_cancel_while_the_request_is_uncommitted_closes_it(pool: asyncpg.Pool) -> None:
    queued = queued_event()
    async with pool.acquire() as first, pool.acquire() as second:
        request = first.transaction()
        await request.start()
        intervention_id = await open_request(first, queued.task_id, queued.user_id)

        async def cancel() -> list[uuid.UUID]:
            async with second.transaction():
                return await store.cancel_task(second, queued.task_id, queued.user_id)

        cancelling = asyncio.create_task(cancel())
        await asyncio.sleep(0.3)
        assert not cancelling.done()
        await request.commit()
        assert await asyncio.wait_for(cancelling, 10) == [intervention_id]  # the handler takes it off the queue
    item = await store.get(pool, intervention_id)
    assert item is not None and not item.open
