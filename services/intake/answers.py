"""The user answers their own task's question: POST /api/v1/tasks/{id}/answer {answers: {label: value}}.

The same human.resolved an operator's answer makes (takeover), with the user as the resolver
(`operator_id` "user:<id>") and the same event id (derived from the human.needed), so a user and
an operator answering at once resume the task once: the stream keeps the first. The answers go
to the user's answer bank as their own words, in the transaction that queues the event.
"""

from datetime import UTC, datetime
from uuid import UUID, uuid5

import asyncpg
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.human import HumanNeeded, HumanResolved
from contracts.profile import BankAnswer, Profile
from contracts.states import TaskState
from runtime import outbox
from runtime.service import Service
from services.intake import errors, scope, store_tasks, web
from services.intake.bodies import parse
from services.intake.errors import ApiError

# A question is waiting while the executor asked it (NEED_HUMAN) or takeover queued it (HUMAN_TAKEOVER).
WAITING = frozenset({TaskState.NEED_HUMAN, TaskState.HUMAN_TAKEOVER})
MAX_VALUE_CHARS = 20_000


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, str] = Field(min_length=1, max_length=200)


def check(needed: HumanNeeded, answers: dict[str, str]) -> dict[str, str]:
    """The answers, trimmed; every label one the form asked, every required one answered."""
    given = {k.strip(): v.strip() for k, v in answers.items()}
    if any(len(v) > MAX_VALUE_CHARS for v in given.values()):
        raise ApiError(422, "invalid_request", f"an answer is at most {MAX_VALUE_CHARS} characters")
    # An event of an older executor names the questions only: each of them is required.
    required = {q.label: q.required for q in needed.fields} or dict.fromkeys(needed.questions, True)
    unknown = sorted(set(given) - set(required))
    if unknown:
        raise ApiError(422, "unknown_label", "the form did not ask these questions", labels=unknown)
    missing = [label for label, needs in required.items() if needs and not given.get(label)]
    if missing:
        raise ApiError(422, "unanswered_questions", "answer every question the form needs", labels=missing)
    return {k: v for k, v in given.items() if v}


async def bank(conn: asyncpg.Connection, user_id: UUID, answers: dict[str, str]) -> None:
    """The user's own words join their answer bank, so the next form with the question needs nobody."""
    raw = await conn.fetchval("SELECT data FROM profiles WHERE user_id = $1 FOR UPDATE", user_id)
    if raw is None:
        return
    profile = Profile.model_validate_json(raw)
    now = datetime.now(UTC)
    added = {q: BankAnswer(answer=a, provenance="user", saved_at=now) for q, a in answers.items()}
    updated = profile.model_copy(update={"answers": {**profile.answers, **added}})
    await conn.execute(
        "UPDATE profiles SET data = $2::jsonb, updated_at = now() WHERE user_id = $1",
        user_id,
        updated.model_dump_json(),
    )


async def answer(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    try:
        task_id = UUID(request.path_params["task_id"])
    except ValueError:
        raise errors.not_found("task") from None
    body = await parse(request, AnswerBody)
    async with scope.as_user(svc, who) as acting:
        row = await store_tasks.one(acting.conn, task_id)
        if row is None:
            raise errors.not_found("task")
        if str(row["user_id"]) != str(who.user_id):
            raise errors.forbidden("only the task's owner answers in their own name; operators use the operator page")
        event = await _resolution(acting.conn, row, who.user_id, body.answers)
        await bank(acting.conn, who.user_id, event.answers)
        await outbox.enqueue(acting.conn, svc.schema, event)
    return web.json({"task_id": str(task_id), "status": "ANSWERED", "answered": sorted(event.answers)}, 202)


async def _resolution(
    conn: asyncpg.Connection, row: asyncpg.Record, user_id: UUID, answers: dict[str, str]
) -> HumanResolved:
    task_id = row["task_id"]
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"outbox {task_id}")
    if TaskState(row["state"]) not in WAITING:
        state = row["state"]
        raise ApiError(409, "not_waiting", f"the task is not waiting for an answer ({state})", state=state)
    found = await store_tasks.latest_applied(conn, task_id, HumanNeeded)
    if found is None or not (found[1].fields or found[1].questions):
        raise ApiError(409, "not_a_question", "the task waits for an operator, not for an answer", state=row["state"])
    needed_id, needed = found
    # takeover's own id for resolving this wait: whoever answers first resumes the task.
    event_id = uuid5(needed_id, "resolved")
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)", event_id):
        raise ApiError(409, "already_answered", "this question is answered already", state=row["state"])
    return HumanResolved(
        event_id=event_id,
        task_id=task_id,
        user_id=user_id,
        causation_id=needed_id,
        resolution="answered",
        operator_id=f"user:{user_id}",
        resume_state=needed.resume_state,
        answers=check(needed, answers),
    )


def routes(svc: Service) -> list[BaseRoute]:
    return [web.route(svc, "/api/v1/tasks/{task_id}/answer", answer, "POST")]
