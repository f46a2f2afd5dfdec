"""Submitting exactly once: one executor per task at a time, and one recorded attempt per job.

The claim is a PostgreSQL session advisory lock on a connection held while the executor drives the
task's browser: a crashed executor's connection closes and its claim goes with it, so no lease has
to be guessed. The attempt row is committed before the submit click; whoever finds it never clicks
again.
"""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

# The claim waits this long for a pool connection; the executor's pool is sized for its slots.
CLAIM_ACQUIRE_TIMEOUT_S = 10.0


def _lock_key(task_id: UUID) -> int:
    return int.from_bytes(hashlib.sha256(b"executor-task:" + task_id.bytes).digest()[:8], "big", signed=True)


@asynccontextmanager
async def claim(pool: asyncpg.Pool, task_id: UUID) -> AsyncIterator[bool]:
    """Yields True while this process alone works the task; False when another one does."""
    async with pool.acquire(timeout=CLAIM_ACQUIRE_TIMEOUT_S) as conn:
        held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(task_id)))
        try:
            yield held
        finally:
            if held:
                await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key(task_id))


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
) -> Attempt:
    """Commits the attempt before the click; returns the earlier one if the job was tried already."""
    async with pool.acquire() as conn:
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
