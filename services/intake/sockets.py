"""The WebSocket routes: /api/v1/tasks/{id}/ws (one task) and /api/v1/ws (all of a user's tasks).

The token comes in the Authorization header or, for browsers, `?token=`; `?after=<cursor>` resumes
after the last message received. A task socket without a cursor starts with the task's whole
history; a user socket without one starts now.
"""

import asyncio
import json
import logging
from contextlib import suppress
from uuid import UUID

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from contracts.envelope import Event
from contracts.states import TaskState
from contracts.subjects import EVENT_SUBJECTS, task_filters
from runtime.service import Service
from services.intake import messages, scope, store_tasks
from services.intake.errors import ApiError
from services.intake.live import Feed, Listener

log = logging.getLogger(__name__)

# Close codes: the HTTP status in the private range, so a client can tell why.
CLOSE_UNAUTHORIZED, CLOSE_NOT_FOUND, CLOSE_BAD_REQUEST = 4401, 4404, 4422
CLOSE_TOO_SLOW = 1013  # "try again later": reconnect with the cursor
CLOSE_FAILED = 1011  # the server failed this socket: reconnect with the cursor


class Session:
    """One socket: the states it has told, and the last position it sent."""

    def __init__(self, ws: WebSocket, states: dict[UUID, TaskState | None], sent: int) -> None:
        self.ws, self.states, self.sent = ws, states, sent

    async def send(self, seq: int, event: Event, quiet: bool = False) -> None:
        if seq <= self.sent and not quiet:
            return
        after, out = messages.describe(event, seq, self.states.get(event.task_id))
        self.states[event.task_id] = after
        if not quiet:
            for message in out:
                await self.ws.send_text(json.dumps(message))
            self.sent = seq


def _after(ws: WebSocket) -> int:
    raw = ws.query_params.get("after", "0")
    if not raw.isdigit():
        raise ValueError("after must be a stream position (a whole number)")
    return int(raw)


async def _refuse(ws: WebSocket, code: int, reason: str) -> None:
    await ws.accept()
    await ws.close(code=code, reason=reason[:120])


async def _pump(feed: Feed, listener: Listener, session: Session) -> None:
    while True:
        seq, event = await listener.queue.get()
        if listener.overflowed:
            await session.ws.close(code=CLOSE_TOO_SLOW, reason="too far behind; reconnect with after=<cursor>")
            return
        await session.send(seq, event)


async def _gone(ws: WebSocket) -> None:
    """Returns when the client goes (it may send nothing at all)."""
    with suppress(WebSocketDisconnect):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass


async def _serve(feed: Feed, listener: Listener, session: Session) -> None:
    # Both at once: a pump that fails must close the socket, or the page would sit on an open socket
    # that tells it nothing more (its client reconnects from its cursor on the close).
    pump = asyncio.create_task(_pump(feed, listener, session))
    gone = asyncio.create_task(_gone(session.ws))
    try:
        await asyncio.wait((pump, gone), return_when=asyncio.FIRST_COMPLETED)
        if pump.done() and not gone.done() and pump.exception() is not None:
            log.warning("a live socket's pump failed (%s); closing it", type(pump.exception()).__name__)
            with suppress(Exception):
                await session.ws.close(code=CLOSE_FAILED, reason="live updates failed; reconnect with after=<cursor>")
    finally:
        for part in (pump, gone):
            part.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await part
        feed.remove(listener)


async def task_socket(svc: Service, feed: Feed, ws: WebSocket) -> None:
    try:
        who = scope.principal(svc, ws)
        after = _after(ws)
        task_id = UUID(ws.path_params["task_id"])
        async with scope.as_user(svc, who) as acting:
            row = await store_tasks.one(acting.conn, task_id)
    except ApiError as exc:
        return await _refuse(ws, CLOSE_UNAUTHORIZED, exc.message)
    except ValueError as exc:
        return await _refuse(ws, CLOSE_BAD_REQUEST, str(exc) or "bad request")
    if row is None:
        return await _refuse(ws, CLOSE_NOT_FOUND, "no such task")
    listener = Listener(task_id=task_id, user_id=None)
    feed.add(listener)  # before reading history, so nothing falls between the two
    await ws.accept()
    session = Session(ws, {task_id: None}, 0)

    # The whole history is read (a task has few events) so state_change knows where it came from;
    # only what is after the cursor is sent.
    async def send(seq: int, event: Event) -> None:
        await session.send(seq, event, quiet=seq <= after)

    session.sent = max(after, await feed.replay(list(task_filters(task_id)), 0, lambda e: True, send))
    await _serve(feed, listener, session)


async def user_socket(svc: Service, feed: Feed, ws: WebSocket) -> None:
    try:
        who = scope.principal(svc, ws)
        after = _after(ws)
        async with scope.as_user(svc, who) as acting:
            rows = await acting.conn.fetch(
                "SELECT r.task_id, coalesce(t.state, 'QUEUED') AS state FROM task_requests r "
                "LEFT JOIN tasks t USING (task_id) WHERE r.user_id = $1",
                who.user_id,
            )
    except ApiError as exc:
        return await _refuse(ws, CLOSE_UNAUTHORIZED, exc.message)
    except ValueError as exc:
        return await _refuse(ws, CLOSE_BAD_REQUEST, str(exc))
    states: dict[UUID, TaskState | None] = {r["task_id"]: TaskState(r["state"]) if r["state"] else None for r in rows}
    listener = Listener(task_id=None, user_id=who.user_id)
    feed.add(listener)
    # Without a cursor the socket starts now; reading from the stream's position rather than
    # trusting the live feed alone covers an event the feed has not delivered yet.
    start = after or await feed.position()
    await ws.accept()
    session = Session(ws, states, start)
    session.sent = await feed.replay(list(EVENT_SUBJECTS), start, lambda e: e.user_id == who.user_id, session.send)
    await _serve(feed, listener, session)


def routes(svc: Service, feed: Feed) -> list[BaseRoute]:
    async def one_task(ws: WebSocket) -> None:
        await task_socket(svc, feed, ws)

    async def all_tasks(ws: WebSocket) -> None:
        await user_socket(svc, feed, ws)

    return [WebSocketRoute("/api/v1/tasks/{task_id}/ws", one_task), WebSocketRoute("/api/v1/ws", all_tasks)]
