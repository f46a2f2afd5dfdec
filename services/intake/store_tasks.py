"""SQL of tasks as the API sees them: accepted requests joined with the read model."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from contracts.tasks import TaskQueued
from runtime import outbox, telemetry
from runtime.bus import encode
from services.intake.jobs import Job

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Inputs:
    """What a new task is made of, read in one round trip: the resume to use (the one named, else
    the newest) with its stored file, and the user's profile (raw JSON) with its LLM consent."""

    resume_id: UUID | None
    resume_key: str | None
    resume_filename: str | None
    profile_json: str | None
    allow_llm: bool
    operators_may_sign_in: bool = False


async def task_inputs(conn: asyncpg.Connection, user_id: UUID, resume_id: UUID | None) -> Inputs:
    row = await conn.fetchrow(
        "SELECT r.resume_id, r.object_key, r.filename, p.data::text AS profile, "
        "coalesce((p.data->'preferences'->>'allow_llm')::boolean, false) AS allow_llm, "
        "coalesce((p.data->'preferences'->>'operators_may_sign_in')::boolean, false) AS operators_sign_in "
        "FROM (SELECT 1) AS one "
        "LEFT JOIN LATERAL (SELECT resume_id, object_key, filename FROM resumes "
        "WHERE user_id = $2 AND ($1::uuid IS NULL OR resume_id = $1) ORDER BY created_at DESC LIMIT 1) AS r ON true "
        "LEFT JOIN profiles AS p ON p.user_id = $2",
        resume_id,
        user_id,
    )
    assert row is not None
    return Inputs(
        row["resume_id"],
        row["object_key"],
        row["filename"],
        row["profile"],
        bool(row["allow_llm"]),
        bool(row["operators_sign_in"]),
    )


async def insert(
    conn: asyncpg.Connection,
    schema: str,
    job: Job,
    resume_id: UUID,
    preferences: dict[str, Any],
    trace_id: str | None,
    event: TaskQueued,
) -> bool:
    """The task and its task.queued in the outbox, in one statement; False when the user already has a
    task for this job (then neither is written).

    One round trip instead of four (insert, outbox lock, outbox insert, notify): the task is new and
    nobody else can write an event of it before this transaction commits, so the outbox's per-task
    lock has nothing to order here.
    """
    subject, payload, headers = encode(event)
    telemetry.inject(headers)
    inserted = await conn.fetchval(
        "WITH t AS (INSERT INTO task_requests (task_id, user_id, job_key, job_url, platform, resume_id, priority, "
        "preferences, trace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) "
        "ON CONFLICT (user_id, job_key) DO NOTHING RETURNING task_id), "
        "o AS (INSERT INTO outbox (id, subject, payload, headers) SELECT $10, $11, $12, $13::jsonb FROM t "
        "ON CONFLICT (id) DO NOTHING RETURNING id) "
        "SELECT count(*) FROM (SELECT pg_notify($14, '') FROM o) AS notified",
        event.task_id,
        event.user_id,
        job.key,
        job.url,
        job.platform,
        resume_id,
        event.priority.value,
        json.dumps(preferences),
        trace_id,
        event.event_id,
        subject,
        payload,
        json.dumps(headers),
        outbox.channel(schema),
    )
    return bool(inserted)


async def existing(conn: asyncpg.Connection, user_id: UUID, job_key: str) -> UUID | None:
    found = await conn.fetchval(
        "SELECT task_id FROM task_requests WHERE user_id = $1 AND job_key = $2", user_id, job_key
    )
    return found if isinstance(found, UUID) else None


_TASK = (
    "SELECT r.task_id, r.user_id, r.job_url, r.job_key, r.platform, r.resume_id, r.priority, r.created_at, "
    "coalesce(t.state, 'QUEUED') AS state, t.outcome, coalesce(t.trace_id, r.trace_id) AS trace_id, "
    "coalesce(t.updated_at, r.created_at) AS updated_at FROM task_requests r LEFT JOIN tasks t USING (task_id) "
)


async def one(conn: asyncpg.Connection, task_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_TASK + "WHERE r.task_id = $1", task_id)
    return row


async def timeline(conn: asyncpg.Connection, task_id: UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT event_id, event_type, from_state, to_state, applied, occurred_at, trace_id, data "
            "FROM task_events WHERE task_id = $1 ORDER BY occurred_at, arrival",
            task_id,
        )
    )


async def page(
    conn: asyncpg.Connection,
    user_id: UUID | None,
    states: list[str] | None,
    platform: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first; `after` is the (created_at, task_id) of the previous page's last task."""
    return list(
        await conn.fetch(
            _TASK + "WHERE ($1::uuid IS NULL OR r.user_id = $1) "
            "AND ($2::text[] IS NULL OR coalesce(t.state, 'QUEUED') = ANY($2)) "
            "AND ($3::text IS NULL OR r.platform = $3) "
            "AND ($4::timestamptz IS NULL OR (r.created_at, r.task_id) < ($4, $5)) "
            "ORDER BY r.created_at DESC, r.task_id DESC LIMIT $6",
            user_id,
            states,
            platform,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
    )


async def latest_applied(conn: asyncpg.Connection, task_id: UUID, model: type[E]) -> tuple[UUID, E] | None:
    """The task's last event of this type that the read model applied, by its position, with its id."""
    row = await conn.fetchrow(
        "SELECT event_id, data FROM task_events WHERE task_id = $1 AND event_type = $2 AND applied "
        "ORDER BY occurred_at DESC, arrival DESC LIMIT 1",
        task_id,
        model.TYPE,
    )
    if row is None:
        return None
    return row["event_id"], model.model_validate(json.loads(row["data"]))
