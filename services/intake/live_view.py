"""The user signs in once through the live view of their task's browser, on their own page.

A task at a sign-in wall or a checkpoint with no stored account waits for the user
(`human.needed` with `sign_in`). Their page asks here for a ticket into takeover's live view
(`POST /api/v1/tasks/{id}/live-view`: the user's own waiting task only, a minute, one use; the
ticket is checked by takeover itself, runtime/tickets.py), works the page there, then says so
(`POST /api/v1/tasks/{id}/signed-in`): the same `human.resolved` an operator's Resolved makes,
with the user as the resolver and the same event id, so the task resumes once.
"""

from datetime import UTC, datetime
from uuid import UUID, uuid5

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.human import HumanNeeded, HumanResolved
from contracts.states import TaskState
from runtime import outbox, tickets
from runtime.service import Service
from runtime.tokens import Principal
from services.intake import errors, scope, store_tasks, web
from services.intake.errors import ApiError

# The wait is the executor's (NEED_HUMAN) until takeover has queued it (HUMAN_TAKEOVER).
WAITING = frozenset({TaskState.NEED_HUMAN, TaskState.HUMAN_TAKEOVER})


def _task_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["task_id"])
    except ValueError:
        raise errors.not_found("task") from None


async def _waiting_sign_in(conn: asyncpg.Connection, task_id: UUID, who: Principal) -> tuple[UUID, HumanNeeded]:
    """The sign-in wait of the user's own task (another user's task, or an operator's look, is 404)."""
    row = await store_tasks.one(conn, task_id)
    if row is None or str(row["user_id"]) != str(who.user_id):
        raise errors.not_found("task")
    found = await store_tasks.latest_applied(conn, task_id, HumanNeeded)
    if TaskState(row["state"]) not in WAITING or found is None or found[1].sign_in is None:
        raise ApiError(409, "not_signing_in", "the task does not wait for you to sign in", state=row["state"])
    return found


def _socket_url(base: str, task_id: UUID, ticket: str) -> str:
    base = base.rstrip("/")
    scheme = "wss://" if base.startswith("https://") else "ws://"
    return f"{scheme}{base.split('://', 1)[-1]}/api/v1/tasks/{task_id}/live?ticket={ticket}"


async def ticket(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    task_id = _task_id(request)
    settings = web.settings(svc)
    async with scope.as_user(svc, who) as acting:
        _, needed = await _waiting_sign_in(acting.conn, task_id, who)
    if not settings.takeover_public_url:
        raise ApiError(503, "live_view_unavailable", "the live view is not configured here (TAKEOVER_PUBLIC_URL)")
    issued = tickets.issue(who.user_id, task_id)
    signed = tickets.encode(issued, settings.secret_key.get_secret_value())
    return web.json(
        {
            "url": _socket_url(settings.takeover_public_url, task_id, signed),
            "expires_at": datetime.fromtimestamp(issued.expires_at, UTC).isoformat(),
            "barrier": needed.sign_in,
        },
        201,
    )


async def signed_in(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    task_id = _task_id(request)
    async with scope.as_user(svc, who) as acting:
        # One resolution per wait, whoever comes first (intake's answers take the same lock).
        await acting.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"outbox {task_id}")
        needed_id, needed = await _waiting_sign_in(acting.conn, task_id, who)
        event_id = uuid5(needed_id, "resolved")  # takeover's own id for resolving this wait
        if await acting.conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)", event_id):
            raise ApiError(409, "already_resolved", "you said so already; the task goes on")
        resolved = HumanResolved(
            event_id=event_id,
            task_id=task_id,
            user_id=who.user_id,
            causation_id=needed_id,
            resolution="signed_in" if needed.sign_in == "wall" else f"{needed.sign_in}_passed",
            operator_id=f"user:{who.user_id}",
            resume_state=needed.resume_state,
        )
        await outbox.enqueue(acting.conn, svc.schema, resolved)
    return web.json({"task_id": str(task_id), "status": "RESUMED"}, 202)


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/tasks/{task_id}/live-view", ticket, "POST"),
        web.route(svc, "/api/v1/tasks/{task_id}/signed-in", signed_in, "POST"),
    ]
