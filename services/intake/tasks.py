"""Task routes: submit one or many, list, read one (with its timeline), cancel."""

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.states import TERMINAL, Priority, TaskState
from contracts.tasks import TaskCancelled
from runtime import objects, outbox
from runtime.service import Service
from services.intake import accept, errors, scope, store_tasks, view, web
from services.intake.bodies import check_text, invalid, parse
from services.intake.errors import ApiError

# Many URLs at once, but one request may not hold an instance for long.
MAX_BATCH = 100
PAGE_DEFAULT, PAGE_MAX = 50, 200
# A repeated cancel is the same event: the stream and the outbox store it once.
_CANCEL_NAMESPACE = UUID("0f6b6d3e-5d0c-4c1e-9a57-3f1a2b7c9d10")


class NewBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_urls: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    resume_id: UUID | None = None
    preferences: accept.Preferences = Field(default_factory=dict)
    priority: Priority = Priority.NORMAL


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str | None = None  # comma-separated states
    platform: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    cursor: str | None = Field(default=None, max_length=200)
    user_id: UUID | None = None  # operators only: one user's tasks


def ws_url(request: Request, path: str) -> str:
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return str(request.url.replace(scheme=scheme, path=path, query=""))


async def create(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    body = await parse(request, accept.NewTask)
    made = await accept.accept(svc, who, body.job_url, body.resume_id, body.preferences, body.priority)
    made["websocket_url"] = ws_url(request, f"/api/v1/tasks/{made['task_id']}/ws")
    return web.json(made, 201)


async def create_batch(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    body = await parse(request, NewBatch)
    results: list[dict[str, Any]] = []
    for url in body.job_urls:
        try:
            made = await accept.accept(svc, who, url, body.resume_id, body.preferences, body.priority)
            made["websocket_url"] = ws_url(request, f"/api/v1/tasks/{made['task_id']}/ws")
            results.append({"job_url": url, "http_status": 201, **made})
        except ApiError as exc:
            results.append({"job_url": url, "http_status": exc.status, **errors.body(exc)})
    accepted = sum(1 for r in results if r["http_status"] == 201)
    return web.json({"accepted": accepted, "refused": len(results) - accepted, "results": results})


def _cursor(row: Any) -> str:
    raw = f"{row['created_at'].isoformat()}|{row['task_id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    try:
        at, _, task_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), UUID(task_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "invalid_request", "invalid fields: cursor", fields=[{"field": "cursor"}]) from None


def _states(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    names = [s.strip().upper() for s in raw.split(",") if s.strip()]
    unknown = [n for n in names if n not in TaskState.__members__]
    if unknown:
        raise ApiError(422, "invalid_request", "invalid fields: state", fields=[{"field": "state"}])
    return names


async def list_tasks(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    check_text(dict(request.query_params))
    try:
        query = ListQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise invalid(exc) from None
    if query.user_id is not None and who.role != "operator":
        raise errors.forbidden("only operators list other users' tasks")
    owner = who.user_id if who.role != "operator" else query.user_id
    async with scope.as_user(svc, who) as acting:
        rows = await store_tasks.page(
            acting.conn, owner, _states(query.state), query.platform, _after(query.cursor), query.limit + 1
        )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return web.json({"tasks": [view.summary(r) for r in rows], "next_cursor": _cursor(rows[-1]) if more else None})


def _task_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["task_id"])
    except ValueError:
        raise errors.not_found("task") from None


async def get_task(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    task_id = _task_id(request)
    async with scope.as_user(svc, who) as acting:
        row = await store_tasks.one(acting.conn, task_id)
        events = await store_tasks.timeline(acting.conn, task_id) if row else []
    if row is None:
        raise errors.not_found("task")
    store = objects.LocalObjects(svc.settings.data_dir)
    shots = await store.keys(objects.key(row["user_id"], "tasks", str(task_id), "screenshots"))
    template = web.settings(svc).trace_url_template
    trace = template.replace("{trace_id}", row["trace_id"]) if template and row["trace_id"] else None
    return web.json(view.detail(row, events, shots, trace))


async def cancel(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    task_id = _task_id(request)
    async with scope.as_user(svc, who) as acting:
        row = await store_tasks.one(acting.conn, task_id)
        if row is None:
            raise errors.not_found("task")
        if TaskState(row["state"]) in TERMINAL:
            raise ApiError(409, "already_ended", f"the task has already ended ({row['state']})", state=row["state"])
        event = TaskCancelled(event_id=uuid5(_CANCEL_NAMESPACE, str(task_id)), task_id=task_id, user_id=row["user_id"])
        await outbox.enqueue(acting.conn, svc.schema, event)
    return web.json({"task_id": str(task_id), "status": "CANCELLING"}, 202)


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/tasks", create, "POST"),
        web.route(svc, "/api/v1/tasks/batch", create_batch, "POST"),
        web.route(svc, "/api/v1/tasks", list_tasks, "GET"),
        web.route(svc, "/api/v1/tasks/{task_id}", get_task, "GET"),
        web.route(svc, "/api/v1/tasks/{task_id}/cancel", cancel, "POST"),
    ]
