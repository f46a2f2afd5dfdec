"""Submitting exactly once: one executor per task at a time, one task driving a browser at a time,
and one recorded attempt per job.

The claims are PostgreSQL session advisory locks on a connection held while the executor drives the
task's browser: a crashed executor's connection closes and its claims go with it, so no lease has
to be guessed. The task's claim comes first, then the browser's (an account's browser serves
several tasks, each in its own tab, and only one of them drives it), both on the one connection.
The attempt row is committed before the submit click; whoever finds it never clicks again. A task
the user cancelled records no attempt and is never clicked: the cancel and the attempt take one
transaction lock of the task, so whichever commits second sees the other.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from runtime.db import advisory_key

# The claim waits this long for a pool connection; the executor's pool is sized for its slots.
CLAIM_ACQUIRE_TIMEOUT_S = 10.0
# How often a task waiting for its browser's drive asks again.
DRIVE_POLL_S = 0.5


def _lock_key(task_id: UUID) -> int:
    return advisory_key(b"executor-task:" + task_id.bytes)


def _cancel_key(task_id: UUID) -> int:
    return advisory_key(b"executor-cancel:" + task_id.bytes)


def _browser_key(browser: str) -> int:
    return advisory_key(b"executor-browser:" + browser.encode())


@asynccontextmanager
async def claim(pool: asyncpg.Pool, task_id: UUID) -> AsyncIterator[bool]:
    """Yields True while this process alone works the task; False when another one does."""
    async with held_task(pool, task_id) as conn:
        yield conn is not None


@asynccontextmanager
async def held_task(pool: asyncpg.Pool, task_id: UUID) -> AsyncIterator[asyncpg.Connection | None]:
    """The claim's connection while this process alone works the task; None when another one does."""
    async with pool.acquire(timeout=CLAIM_ACQUIRE_TIMEOUT_S) as conn:
        held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(task_id)))
        try:
            yield conn if held else None
        finally:
            if held:
                await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key(task_id))


@asynccontextmanager
async def drive(conn: asyncpg.Connection, browser: str, wait_s: float) -> AsyncIterator[bool]:
    """Yields True while this task alone drives the browser (asked again for up to wait_s while
    another task drives it); False when it is still driven then. The claim goes when the delivery
    ends: a task that starts waiting for a person gives the browser up with it."""
    key, deadline = _browser_key(browser), time.monotonic() + wait_s
    held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", key))
    while not held and time.monotonic() < deadline:
        await asyncio.sleep(DRIVE_POLL_S)
        held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", key))
    try:
        yield held
    finally:
        if held:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)


@dataclass(frozen=True)
class Attempt:
    task_id: UUID
    attempt_id: str
    clicked_by: str
    recorded_at: datetime
    outcome: str | None
    new: bool  # False: an earlier attempt exists; do not click


async def record(
    pool: asyncpg.Pool, task_id: UUID, user_id: UUID, job_key: str, attempt_id: str, instance: str
) -> Attempt | None:
    """Commits the attempt before the click; returns the earlier one if the job was tried already,
    and None if the user cancelled the task (nothing may be sent)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _cancel_key(task_id))
        if await conn.fetchval("SELECT true FROM cancelled WHERE task_id = $1", task_id):
            return None
        row = await conn.fetchrow(
            "INSERT INTO submit_attempts (task_id, user_id, job_key, attempt_id, clicked_by) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING *",
            task_id,
            user_id,
            job_key,
            attempt_id,
            instance,
        )
        if row is not None:
            return _attempt(row, new=True)
        earlier = await conn.fetchrow(
            "SELECT * FROM submit_attempts WHERE task_id = $1 OR (user_id = $2 AND job_key = $3) LIMIT 1",
            task_id,
            user_id,
            job_key,
        )
    assert earlier is not None, "a conflicting attempt must exist"
    return _attempt(earlier, new=False)


async def cancel(conn: asyncpg.Connection, task_id: UUID, user_id: UUID) -> bool:
    """task.cancelled, in the caller's transaction: no attempt is recorded for the task after this
    commits. Returns False when an attempt was recorded first (the application is out already)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _cancel_key(task_id))
    await conn.execute(
        "INSERT INTO cancelled (task_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", task_id, user_id
    )
    await conn.execute(
        "UPDATE tasks SET state = 'CANCELLED', finished = true, updated_at = now() WHERE task_id = $1 AND NOT finished",
        task_id,
    )
    return not await conn.fetchval("SELECT true FROM submit_attempts WHERE task_id = $1", task_id)


async def settle(pool: asyncpg.Pool, task_id: UUID, outcome: str) -> bool:
    """Records what became of the attempt, once; False if it was settled already."""
    done = await pool.fetchval(
        "UPDATE submit_attempts SET outcome = $2, outcome_at = now() WHERE task_id = $1 AND outcome IS NULL "
        "RETURNING true",
        task_id,
        outcome,
    )
    return bool(done)


async def find(pool: asyncpg.Pool, task_id: UUID) -> Attempt | None:
    row = await pool.fetchrow("SELECT * FROM submit_attempts WHERE task_id = $1", task_id)
    return _attempt(row, new=False) if row is not None else None


def _attempt(row: asyncpg.Record, new: bool) -> Attempt:
    return Attempt(
        task_id=row["task_id"],
        attempt_id=row["attempt_id"],
        clicked_by=row["clicked_by"],
        recorded_at=row["recorded_at"],
        outcome=row["outcome"],
        new=new,
    )
