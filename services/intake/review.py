"""Review before submit: the user approves (or corrects) what the executor would send.

The executor filled the form, published task.review_needed and waits with the browser open. An
approval is a task.approved through the outbox, in the transaction that checks the task is still
in review; the executor types the corrections in and submits.
"""

from uuid import UUID, uuid5

import asyncpg
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.states import TaskState
from contracts.tasks import TaskApproved, TaskReviewNeeded
from runtime import outbox
from runtime.service import Service
from services.intake import errors, scope, store_tasks, web
from services.intake.bodies import parse
from services.intake.errors import ApiError

# One approval per review: a repeated request is the same event, so a retry after a lost answer
# cannot send two, and a second approval of the same review is refused (409 already_approved).
_APPROVAL_NAMESPACE = UUID("6c1f3a52-97b0-4d0e-8f5e-2b8e0a9c4d71")
# A form has a few dozen fields; a correction is a field's value, a cover letter at most.
MAX_CORRECTIONS = 200
MAX_LABEL_CHARS, MAX_VALUE_CHARS = 500, 20_000


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    corrections: dict[str, str] = Field(default_factory=dict, max_length=MAX_CORRECTIONS)


def approval_id(task_id: UUID, review_id: UUID) -> UUID:
    return uuid5(_APPROVAL_NAMESPACE, f"{task_id}/{review_id}")


def check_corrections(review: TaskReviewNeeded, corrections: dict[str, str]) -> None:
    """A label the review does not show is a typo, not a field to add; every required open question
    needs an answer, or the executor would submit a form the site refuses."""
    too_long = [k for k, v in corrections.items() if len(k) > MAX_LABEL_CHARS or len(v) > MAX_VALUE_CHARS]
    if too_long:
        raise ApiError(422, "invalid_request", "a correction is too long", labels=too_long)
    known = {f.label for f in review.fields} | {q.label for q in review.unresolved}
    unknown = sorted(set(corrections) - known)
    if unknown:
        raise ApiError(422, "unknown_label", "the review has no field with these labels", labels=unknown)
    open_ = [q.label for q in review.unresolved if q.required and not corrections.get(q.label, "").strip()]
    if open_:
        raise ApiError(422, "unanswered_questions", "answer every required open question", labels=open_)


async def approve(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    task_id = _task_id(request)
    body = await parse(request, Approval)
    async with scope.as_user(svc, who) as acting:
        row = await store_tasks.one(acting.conn, task_id)
        if row is None:
            raise errors.not_found("task")
        if str(row["user_id"]) != str(who.user_id):
            # An operator sees the task, but what is sent in a person's name is theirs to approve.
            raise errors.forbidden("only the task's owner approves what is sent in their name")
        event = await _approval(acting.conn, row, body.corrections)
        await outbox.enqueue(acting.conn, svc.schema, event)
    return web.json({"task_id": str(task_id), "status": "APPROVED", "approval_id": str(event.event_id)}, 202)


async def _approval(conn: asyncpg.Connection, row: asyncpg.Record, corrections: dict[str, str]) -> TaskApproved:
    task_id = row["task_id"]
    # Taken before the checks (enqueue takes it too): two approvals at once are checked one after the other.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"outbox {task_id}")
    if row["state"] != TaskState.NEED_REVIEW:
        raise ApiError(409, "not_in_review", f"the task is not waiting for review ({row['state']})", state=row["state"])
    found = await store_tasks.latest_applied(conn, task_id, TaskReviewNeeded)
    if found is None:  # NEED_REVIEW is only reached by a review; a gap here is the read model's
        raise ApiError(409, "not_in_review", "the task's review is not readable yet", state=row["state"])
    review_id, review = found
    event_id = approval_id(task_id, review_id)
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)", event_id):
        raise ApiError(409, "already_approved", "this review is approved already", state=row["state"])
    check_corrections(review, corrections)
    return TaskApproved(
        event_id=event_id, task_id=task_id, user_id=row["user_id"], causation_id=review_id, corrections=corrections
    )


def _task_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["task_id"])
    except ValueError:
        raise errors.not_found("task") from None


def routes(svc: Service) -> list[BaseRoute]:
    return [web.route(svc, "/api/v1/tasks/{task_id}/approve", approve, "POST")]
