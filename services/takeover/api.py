"""The operators' JSON API and the live-view socket (the page in pages.py uses both)."""

import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from runtime.service import Service
from runtime.tokens import Principal
from services.takeover import actions, queue, sockets, store
from services.takeover.auth import NotOperator, operator
from services.takeover.liveview import Viewer

# The page beats this often to keep its claim (queue.CLAIM_TTL_S is three beats).
HEARTBEAT_S = 10
# Longest free text an operator may type as a reason or an answer.
MAX_TEXT = 2000


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def who(svc: Service, request: Request) -> Principal:
    return operator(request, svc.settings.secret_key.get_secret_value())


def trace_url(svc: Service, item: store.Intervention) -> str | None:
    """The task's trace in the trace explorer, where one is configured."""
    template = getattr(svc.settings, "trace_url_template", None)
    return template.replace("{trace_id}", item.trace_id) if template and item.trace_id else None


def summary(item: store.Intervention, holder: str | None, trace: str | None = None) -> dict[str, Any]:
    """What an operator sees: what the intervention needs and nothing more (no files, no credentials)."""
    return {
        "intervention_id": str(item.intervention_id),
        "task_id": str(item.task_id),
        "kind": item.kind,
        "reason": item.reason,
        "page_url": item.page_url,
        "platform": item.platform,
        "questions": item.questions,
        "priority": item.priority,
        "created_at": item.created_at.isoformat(),
        "deadline_at": item.deadline_at.isoformat(),
        "open": item.open,
        "outcome": item.outcome,
        "claimed_by": holder,
        "has_live_view": bool(item.cdp_url),
        "novnc_url": item.live_view_url,
        "trace_id": item.trace_id,
        "trace_url": trace,
    }


async def listing(svc: Service) -> list[dict[str, Any]]:
    order = await queue.ordered(svc.redis)
    items = {i.intervention_id: i for i in await store.open_ones(svc.pool)}
    items = {k: i for k, i in items.items() if i.for_operators}
    ranked = [items[i] for i in order if i in items] + [i for k, i in items.items() if k not in order]
    holders = await queue.claims(svc.redis, [i.intervention_id for i in ranked])
    return [summary(i, holders.get(i.intervention_id), trace_url(svc, i)) for i in ranked]


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _answers(body: dict[str, Any]) -> dict[str, str]:
    answers = body.get("answers", {})
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise ValueError("answers must map each question to a text")
    return {str(k)[:MAX_TEXT]: v.strip()[:MAX_TEXT] for k, v in answers.items() if v.strip()}


def _svc(conn: Request | WebSocket) -> Service:
    svc: Service = conn.app.state.svc
    return svc


Act = Callable[[Service, Principal, Request], Awaitable[Response]]


def endpoint(act: Act) -> Callable[[Request], Awaitable[Response]]:
    """An operator-only endpoint; the refusals become JSON errors that say why."""

    async def run(request: Request) -> Response:
        svc = _svc(request)
        try:
            return await act(svc, who(svc, request), request)
        except NotOperator as exc:
            return error(exc.status, str(exc))
        except ValueError as exc:
            return error(422, str(exc))
        except actions.Conflict as exc:
            return error(409, str(exc))
        except NotFound:
            return error(404, "no such intervention")

    return run


@endpoint
async def list_open(svc: Service, me: Principal, request: Request) -> Response:
    return JSONResponse({"interventions": await listing(svc)})


@endpoint
async def one(svc: Service, me: Principal, request: Request) -> Response:
    item = await _item(svc, request)
    return JSONResponse(summary(item, await queue.holder(svc.redis, item.intervention_id), trace_url(svc, item)))


@endpoint
async def claim(svc: Service, me: Principal, request: Request) -> Response:
    item = await _item(svc, request)
    if not item.open:
        raise actions.Conflict("this intervention is closed already")
    if not await queue.claim(svc.redis, item.intervention_id, str(me.user_id)):
        raise actions.Conflict("another operator is working on this one")
    await store.audit(svc.pool, str(me.user_id), item.intervention_id, "claim")
    return JSONResponse({"claimed": True, "heartbeat_s": HEARTBEAT_S})


@endpoint
async def release(svc: Service, me: Principal, request: Request) -> Response:
    item = await _item(svc, request)
    released = await queue.release(svc.redis, item.intervention_id, str(me.user_id))
    if released:
        await store.audit(svc.pool, str(me.user_id), item.intervention_id, "release")
    return JSONResponse({"released": released})


@endpoint
async def resolve(svc: Service, me: Principal, request: Request) -> Response:
    item, body = await _claimed(svc, request, me)
    resolution = str(body.get("resolution") or _default_resolution(item.kind))[:100]
    done = await actions.resolve(svc, item.intervention_id, str(me.user_id), resolution, _answers(body))
    return JSONResponse({"status": done.resume_state, "message": "Automation resumed"})


@endpoint
async def fail(svc: Service, me: Principal, request: Request) -> Response:
    item, body = await _claimed(svc, request, me)
    why = str(body.get("why") or "").strip()[:MAX_TEXT]
    if not why:
        raise ValueError("say why the task cannot go on (why)")
    await actions.fail(svc, item.intervention_id, str(me.user_id), why)
    return JSONResponse({"status": "FAILED", "message": "The task ends here"})


@endpoint
async def human_resolved(svc: Service, me: Principal, request: Request) -> Response:
    """The original design's POST /api/v1/tasks/{task_id}/human-resolved {resolution, operator_id}."""
    body = await _body(request)
    if str(body.get("operator_id", me.user_id)) != str(me.user_id):
        return error(403, "operator_id must be your own")
    task_id = parse_id(request.path_params["task_id"])
    item = await store.open_of_task(svc.pool, task_id)
    if item is None or not item.for_operators:
        return error(404, "this task does not wait for a person")
    if await queue.holder(svc.redis, item.intervention_id) not in (None, str(me.user_id)):
        raise actions.Conflict("another operator is working on this one")
    resolution = str(body.get("resolution") or _default_resolution(item.kind))[:100]
    done = await actions.resolve(svc, item.intervention_id, str(me.user_id), resolution, _answers(body))
    return JSONResponse({"status": done.resume_state, "message": "Automation resumed"})


async def _item(svc: Service, request: Request) -> store.Intervention:
    item = await store.get(svc.pool, parse_id(request.path_params["intervention_id"]))
    if item is None or not item.for_operators:  # a user's own sign-in is no operator's business
        raise NotFound()
    return item


async def _claimed(svc: Service, request: Request, me: Principal) -> tuple[store.Intervention, dict[str, Any]]:
    item = await _item(svc, request)
    body = await _body(request)
    if await queue.holder(svc.redis, item.intervention_id) != str(me.user_id):
        raise actions.Conflict("claim this intervention first")
    return item, body


async def live(socket: WebSocket) -> None:
    await _live(_svc(socket), socket.app.state.viewer, socket)


ROUTES: list[BaseRoute] = [
    Route("/api/v1/interventions", list_open),
    Route("/api/v1/interventions/{intervention_id}", one),
    Route("/api/v1/interventions/{intervention_id}/claim", claim, methods=["POST"]),
    Route("/api/v1/interventions/{intervention_id}/release", release, methods=["POST"]),
    Route("/api/v1/interventions/{intervention_id}/resolve", resolve, methods=["POST"]),
    Route("/api/v1/interventions/{intervention_id}/fail", fail, methods=["POST"]),
    Route("/api/v1/tasks/{task_id}/human-resolved", human_resolved, methods=["POST"]),
    WebSocketRoute("/api/v1/interventions/{intervention_id}/live", live),
]


class NotFound(Exception):
    pass


def parse_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise NotFound() from None


def _default_resolution(kind: str) -> str:
    return {"captcha": "captcha_solved", "question": "answered", "email_not_found": "code_entered"}.get(
        kind, "resolved"
    )


async def _live(svc: Service, viewer: Viewer, socket: WebSocket) -> None:
    """An operator's live view of the intervention they hold."""
    try:
        me = operator(socket, svc.settings.secret_key.get_secret_value())
        item = await store.get(svc.pool, parse_id(socket.path_params["intervention_id"]))
    except (NotOperator, NotFound):
        await socket.close(code=4401)
        return
    if item is None or not item.open or not item.cdp_url or not item.for_operators:
        await socket.close(code=4404)
        return
    if await queue.holder(svc.redis, item.intervention_id) != str(me.user_id):
        await socket.close(code=4409)
        return
    await sockets.stream(svc, viewer, socket, item, str(me.user_id))
