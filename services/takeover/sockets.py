"""One live view on a socket, whoever opened it (an operator, or the user on their own page):
frames out as binary JPEG messages, mouse and keyboard in as JSON text messages, audited."""

import asyncio
from contextlib import suppress
from uuid import UUID

from starlette.websockets import WebSocket, WebSocketDisconnect

from runtime.service import Service
from services.takeover import store
from services.takeover.liveview import LiveView, Viewer, ViewError

# A live view looks this often whether its intervention is still open.
WATCH_EVERY_S = 2.0


async def stream(svc: Service, viewer: Viewer, socket: WebSocket, item: store.Intervention, actor: str) -> None:
    """Streams the intervention's browser until the socket closes or the intervention does (4410)."""
    assert item.cdp_url is not None
    await socket.accept()
    await store.audit(svc.pool, actor, item.intervention_id, "view")
    try:
        inputs = [0]
        async with viewer.view(item.cdp_url) as view:
            sent = asyncio.create_task(_send_frames(socket, view))
            received = asyncio.create_task(_receive_input(socket, view, inputs))
            watched = asyncio.create_task(_while_open(svc, item.intervention_id))
            try:
                done, _ = await asyncio.wait({received, watched}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (sent, received, watched):
                    task.cancel()
                    with suppress(asyncio.CancelledError, Exception):
                        await task
        if watched in done:  # closed meanwhile: resolved elsewhere, timed out, or its user deleted
            with suppress(Exception):
                await socket.close(code=4410)
        await store.audit(svc.pool, actor, item.intervention_id, "input", {"events": inputs[0]})
    except ViewError as exc:
        with suppress(Exception):
            await socket.send_json({"error": str(exc)})
            await socket.close(code=1011)


async def _send_frames(socket: WebSocket, view: LiveView) -> None:
    while True:
        frame = await view.frames.get()
        await socket.send_json({"frame": {"width": frame.width, "height": frame.height}})
        await socket.send_bytes(frame.jpeg)


async def _receive_input(socket: WebSocket, view: LiveView, count: list[int]) -> None:
    try:
        while True:
            message = await socket.receive_json()
            try:
                await view.send_input(message if isinstance(message, dict) else {})
                count[0] += 1
            except (ValueError, KeyError, TypeError) as exc:
                await socket.send_json({"error": f"input refused: {exc}"})
    except WebSocketDisconnect:
        return


async def _while_open(svc: Service, intervention_id: UUID) -> None:
    """Returns once the intervention is closed or gone, so its live view ends with it."""
    while True:
        await asyncio.sleep(WATCH_EVERY_S)
        item = await store.get(svc.pool, intervention_id)
        if item is None or not item.open:
            return
