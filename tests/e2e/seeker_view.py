"""The job seeker's live view of their task's browser, driven as their page's script drives it:
a ticket from intake, takeover's socket, frames in, the same mouse and keyboard messages out."""

import asyncio
import json
from contextlib import suppress
from typing import Any
from uuid import UUID

import httpx
import websockets
from playwright.async_api import async_playwright

from tests.intake.client import User
from tests.support import eventually


async def ticket(http: httpx.AsyncClient, user: User, task_id: UUID) -> httpx.Response:
    return await http.post(f"/api/v1/tasks/{task_id}/live-view", headers=user.auth)


async def socket_url(http: httpx.AsyncClient, user: User, task_id: UUID) -> str:
    """The page asks for its ticket once the task waits for the user (intake's read model has it)."""
    answers: list[httpx.Response] = []

    async def issued() -> bool:
        answers.append(await ticket(http, user, task_id))
        return answers[-1].status_code == 201

    await eventually(issued, timeout_s=30, every_s=0.3)
    body = answers[-1].json()
    assert body["url"].startswith("ws://") and "ticket=" in body["url"], body
    return str(body["url"])


async def boxes(cdp_url: str, *selectors: str) -> dict[str, tuple[float, float]]:
    """Where each element's middle is on the task's page: what the person sees in the picture."""
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url)
        try:
            page = next(p for c in browser.contexts for p in c.pages if p.url.startswith("http"))
            found = {}
            for selector in selectors:
                box = await page.locator(selector).first.bounding_box()
                assert box is not None, selector
                found[selector] = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            return found
        finally:
            await browser.close()  # the CDP connection only: the browser stays the provisioner's


class View:
    """One open live view: counts the frames it got, sends input as liveview.js does."""

    def __init__(self, socket: Any) -> None:
        self.socket, self.frames, self.errors = socket, 0, list[str]()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with suppress(websockets.exceptions.ConnectionClosed):
            async for message in self.socket:
                if isinstance(message, bytes):
                    assert message[:2] == b"\xff\xd8"  # a JPEG
                    self.frames += 1
                elif "error" in json.loads(message):
                    self.errors.append(message)

    def has_a_frame(self) -> bool:
        assert not self.errors, self.errors
        return self.frames > 0

    async def send(self, **message: Any) -> None:
        await self.socket.send(json.dumps(message))

    async def click(self, at: tuple[float, float]) -> None:
        x, y = at
        await self.send(type="mouseMoved", x=x, y=y)
        await self.send(type="mousePressed", button="left", clickCount=1, x=x, y=y)
        await self.send(type="mouseReleased", button="left", clickCount=1, x=x, y=y)

    async def type(self, text: str) -> None:
        for char in text:
            await self.send(type="keyDown", key=char, text=char)
            await self.send(type="keyUp", key=char)

    async def enter(self) -> None:
        await self.send(type="keyDown", key="Enter", code="Enter", keyCode=13, text="\r")
        await self.send(type="keyUp", key="Enter", code="Enter", keyCode=13)

    async def close(self) -> None:
        await self.socket.close()
        self._reader.cancel()


async def open_view(url: str) -> View:
    view = View(await websockets.connect(url, max_size=None, open_timeout=30))
    # The page as it is now comes first (a screenshot), then a frame on every repaint; on a loaded
    # machine attaching to the task's browser takes a while.
    await eventually(view.has_a_frame, timeout_s=60)
    return view


async def refused(url: str) -> bool:
    """True when takeover will not open this view (the handshake is answered 403)."""
    try:
        socket = await websockets.connect(url, open_timeout=20)
    except websockets.exceptions.InvalidStatus:
        return True
    await socket.close()
    return False
