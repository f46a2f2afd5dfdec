"""SQL of tasks as the API sees them: accepted requests joined with the read model."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from contracts.tasks import TaskQueued
from runtime import outbox, telemetry
from runtime.bus import encode
from runtime.tokens import Principal
from services.intake.jobs import Job

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Inputs:
    """What a new task is made of, read in one round trip with the live session: the user's plan,
    the resume to use (the one named, else the newest) with its stored file, and the user's
    profile (raw JSON) with its LLM consent."""

    plan: str
    resume_id: UUID | None
    resume_key: str | None
    resume_filename: str | None
    profile_json: str | None
    allow_llm: bool
    operators_may_sign_in: bool = False


async def task_inputs(conn: asyncpg.Connection, who: Principal, resume_id: UUID | None) -> Inputs | None:
    """None when the session has ended (logged out, revoked or expired). Run outside a transaction:
    the function's switch to the request role ends with the statement (migration 0015)."""
    with telemetry.database("SELECT accept_inputs"):
        row = await conn.fetchrow(
            "SELECT plan, resume_id, object_key, filename, profile, allow_llm, operators_sign_in "
            "FROM accept_inputs($1, $2, $3, $4)",
            who.session_id,
            who.user_id,
            who.role,
            resume_id,
        )
    return None if row is None else _inputs(row)


async def task_inputs_many(
    conn: asyncpg.Connection, asked: Sequence[tuple[Principal, UUID | None]]
) -> list[Inputs | None]:
    """task_inputs for many requests in one statement (migration 0016), in their order."""
    with telemetry.database("SELECT accept_inputs_many"):
        rows = await conn.fetch(
            "SELECT ord, plan, resume_id, object_key, filename, profile, allow_llm, operators_sign_in "
            "FROM accept_inputs_many($1, $2, $3, $4)",
            [who.session_id for who, _ in asked],
            [who.user_id for who, _ in asked],
            [who.role for who, _ in asked],
            [resume_id for _, resume_id in asked],
        )
    found: list[Inputs | None] = [None] * len(asked)
    for row in rows:
        found[row["ord"] - 1] = _inputs(row)
    return found


def _inputs(row: asyncpg.Record) -> Inputs:
    return Inputs(
        row["plan"],
        row["resume_id"],
        row["object_key"],
        row["filename"],
        row["profile"],
        bool(row["allow_llm"]),
        bool(row["operators_sign_in"]),
    )


@dataclass(frozen=True)
class Written:
    """What accept_task_many did for one task: "accepted" (task_id is the new task), "quota" (the
    plan's daily limit is reached), "duplicate" (task_id is the user's task for this job) or
    "ended" (the session ended); nothing is written but for "accepted"."""

    outcome: str
    task_id: UUID | None


@dataclass(frozen=True)
class NewRow:
    """One task to write, with its task.queued encoded (in the request's own trace context)."""

    who: Principal
    job: Job
    resume_id: UUID
    daily_limit: int
    preferences: str  # JSON
    trace_id: str | None
    event: TaskQueued
    subject: str
    payload: bytes
    headers: str  # JSON


def new_row(
    who: Principal,
    job: Job,
    resume_id: UUID,
    daily_limit: int,
    preferences: dict[str, Any],
    trace_id: str | None,
    event: TaskQueued,
) -> NewRow:
    subject, payload, headers = encode(event)
    telemetry.inject(headers)
    return NewRow(
        who,
        job,
        resume_id,
        daily_limit,
        json.dumps(preferences),
        trace_id,
        event,
        subject,
        payload,
        json.dumps(headers),
    )


async def insert_many(conn: asyncpg.Connection, schema: str, rows: Sequence[NewRow]) -> list[Written]:
    """Each task and its task.queued in the outbox, with the relay's wake-up, in one statement and
    its own transaction (migration 0016), each if its session is still live and the user's quota
    for the day allows: all are written or none; each answers its own outcome, in their order (a
    duplicate names the existing task). A request alone is a batch of one."""
    with telemetry.database("SELECT accept_task_many"):
        got = await conn.fetch(
            "SELECT ord, outcome, task_id FROM accept_task_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            "$12, $13, $14, $15, $16, $17)",
            [r.who.session_id for r in rows],
            [r.who.user_id for r in rows],
            [r.who.role for r in rows],
            [r.daily_limit for r in rows],
            [r.event.task_id for r in rows],
            [r.job.key for r in rows],
            [r.job.url for r in rows],
            [r.job.platform for r in rows],
            [r.resume_id for r in rows],
            [r.event.priority.value for r in rows],
            [r.preferences for r in rows],
            [r.trace_id for r in rows],
            [r.event.event_id for r in rows],
            [r.subject for r in rows],
            [r.payload for r in rows],
            [r.headers for r in rows],
            outbox.channel(schema),
        )
    written: list[Written | None] = [None] * len(rows)
    for one in got:
        written[one["ord"] - 1] = Written(one["outcome"], one["task_id"])
    if any(w is None for w in written):
        raise RuntimeError("accept_task_many left a row without an outcome")
    return [w for w in written if w is not None]


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
