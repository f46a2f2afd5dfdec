"""executor's SQL: its own record of each task (migrations/0002_tasks.sql)."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.applications import TokenUsage
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.tasks import TaskQueued


@dataclass(frozen=True)
class Task:
    task_id: UUID
    user_id: UUID
    job_url: str
    platform: str
    job_key: str
    preferences: dict[str, Any]
    cdp_url: str | None
    live_view_url: str | None
    exit_ip: str | None
    state: TaskState
    waiting: str | None
    finished: bool
    navigations: int
    answers: dict[str, dict[str, str]]
    submitted_at: datetime | None
    llm_usage: TokenUsage | None = None  # what the model cost the task so far
    profile_id: str | None = None  # the browser's profile: one task drives it at a time
    target_id: str | None = None  # the task's own tab in it (None: a provisioner that predates tabs)


async def save_queued(conn: asyncpg.Connection, event: TaskQueued, instance: str) -> None:
    """The task as queued; one the user cancelled before its task.queued came is kept finished."""
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, job_url, platform, job_key, preferences, queued_by, state, finished) "
        "SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, CASE WHEN c THEN 'CANCELLED' ELSE 'QUEUED' END, c "
        "FROM (SELECT EXISTS (SELECT 1 FROM cancelled WHERE task_id = $1) AS c) AS k "
        "ON CONFLICT (task_id) DO NOTHING",
        event.task_id,
        event.user_id,
        str(event.job_url),
        event.platform,
        event.job_key,
        json.dumps(event.preferences),
        instance,
    )


async def save_browser(pool: asyncpg.Pool, event: ProfileReady) -> bool:
    """False when task.queued has not been seen yet (the caller waits for it)."""
    done = await pool.fetchval(
        "UPDATE tasks SET cdp_url = $2, live_view_url = $3, exit_ip = $4, profile_id = $5, target_id = $6, "
        "state = CASE WHEN cdp_url IS NULL THEN 'READY' ELSE state END, updated_at = now() "
        "WHERE task_id = $1 RETURNING true",
        event.task_id,
        event.cdp_url,
        event.live_view_url,
        event.exit_ip,
        event.profile_id,
        event.target_id,
    )
    return bool(done)


async def get(conn: asyncpg.Connection | asyncpg.Pool, task_id: UUID) -> Task | None:
    row = await conn.fetchrow("SELECT * FROM tasks WHERE task_id = $1", task_id)
    if row is None:
        return None
    return Task(
        task_id=row["task_id"],
        user_id=row["user_id"],
        job_url=row["job_url"],
        platform=row["platform"],
        job_key=row["job_key"],
        preferences=json.loads(row["preferences"]),
        cdp_url=row["cdp_url"],
        live_view_url=row["live_view_url"],
        exit_ip=row["exit_ip"],
        state=TaskState(row["state"]),
        waiting=row["waiting"],
        finished=row["finished"],
        navigations=row["navigations"],
        answers=json.loads(row["answers"]),
        submitted_at=row["submitted_at"],
        llm_usage=TokenUsage.model_validate(json.loads(row["llm_usage"])),
        profile_id=row["profile_id"],
        target_id=row["target_id"],
    )


async def move(
    conn: asyncpg.Connection, task_id: UUID, state: TaskState, waiting: str | None = None, finished: bool = False
) -> None:
    await conn.execute(
        "UPDATE tasks SET state = $2, waiting = $3, finished = finished OR $4, updated_at = now() WHERE task_id = $1",
        task_id,
        state.value,
        waiting,
        finished,
    )


async def resumed(
    pool: asyncpg.Pool, task_id: UUID, state: TaskState, answers: dict[str, str], provenance: str
) -> None:
    """Help arrived: the task is where the helper sent it, with the helper's answers kept for it."""
    given = {label: {"answer": value, "provenance": provenance} for label, value in answers.items() if value.strip()}
    await pool.execute(
        "UPDATE tasks SET state = $2, answers = answers || $3::jsonb, updated_at = now() WHERE task_id = $1",
        task_id,
        state.value,
        json.dumps(given),
    )


async def navigation_failed(conn: asyncpg.Connection, task_id: UUID) -> int:
    """Counts one failed navigation; returns how many have failed so far."""
    return int(
        await conn.fetchval(
            "UPDATE tasks SET navigations = navigations + 1 WHERE task_id = $1 RETURNING navigations", task_id
        )
    )


async def mark_submitted(conn: asyncpg.Connection, task_id: UUID, at: datetime) -> None:
    await conn.execute("UPDATE tasks SET submitted_at = coalesce(submitted_at, $2) WHERE task_id = $1", task_id, at)


async def save_usage(conn: asyncpg.Connection, task_id: UUID, usage: TokenUsage) -> None:
    await conn.execute("UPDATE tasks SET llm_usage = $2::jsonb WHERE task_id = $1", task_id, usage.model_dump_json())


async def requeued(conn: asyncpg.Connection, task_id: UUID) -> None:
    """The task goes back to the provisioner (a paused account): its next profile.ready starts it
    afresh, in a new browser."""
    await conn.execute(
        "UPDATE tasks SET state = 'RETRYING', waiting = NULL, cdp_url = NULL, live_view_url = NULL, target_id = NULL, "
        "navigations = 0, updated_at = now() WHERE task_id = $1",
        task_id,
    )
