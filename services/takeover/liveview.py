"""The live browser for an operator: CDP screencast frames out, mouse, keyboard and scroll in.

A view attaches to the task's own browser (the provisioner's, over CDP), screencasts the task's
own tab (an account's browser serves several tasks, a tab each: the one whose CDP target id
profile.ready named), and replays the operator's input on it through CDP Input events, so what a
person solves there (a CAPTCHA, a field) is solved in the task's real session.
"""

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from runtime.browsers import PlaywrightDriver

# About ten frames a second at most (the page repaints as it likes; frames come on repaint only).
EVERY_NTH_FRAME = 1
FRAME_QUALITY = 60
MAX_WIDTH, MAX_HEIGHT = 1280, 900
# Frames are dropped, not queued, when the operator's connection is slow: only the newest matters.
FRAME_BUFFER = 2

Button = Literal["left", "middle", "right", "none"]
_MOUSE_TYPES = frozenset({"mouseMoved", "mousePressed", "mouseReleased", "mouseWheel"})
_KEY_TYPES = frozenset({"keyDown", "keyUp", "char"})


@dataclass(frozen=True)
class Frame:
    jpeg: bytes
    width: int  # CSS pixels of the page the frame shows (input coordinates are in these)
    height: int


class ViewError(Exception):
    """The task's browser cannot be viewed (gone, or no page)."""


class LiveView:
    def __init__(self, session: CDPSession, page: Page) -> None:
        self._session, self.page = session, page
        self.frames: asyncio.Queue[Frame] = asyncio.Queue(FRAME_BUFFER)
        self._acks: set[asyncio.Task[None]] = set()
        session.on("Page.screencastFrame", self._on_frame)

    async def start(self) -> None:
        # A tab nobody looked at for a while paints nothing, and frames only come on paint.
        await self._session.send("Page.bringToFront")
        await self._session.send(
            "Page.startScreencast",
            {
                "format": "jpeg",
                "quality": FRAME_QUALITY,
                "maxWidth": MAX_WIDTH,
                "maxHeight": MAX_HEIGHT,
                "everyNthFrame": EVERY_NTH_FRAME,
            },
        )
        await self._first_frame()

    async def _first_frame(self) -> None:
        """The page as it is now: a screencast sends frames on repaint only, and a page that waits
        for a person (a form, a challenge) may not repaint for a long while."""
        with suppress(PlaywrightError, KeyError, ValueError):
            metrics = await self._session.send("Page.getLayoutMetrics")
            view = metrics["cssLayoutViewport"]
            shot = await self._session.send("Page.captureScreenshot", {"format": "jpeg", "quality": FRAME_QUALITY})
            self._put(Frame(base64.b64decode(shot["data"]), int(view["clientWidth"]), int(view["clientHeight"])))

    async def stop(self) -> None:
        with suppress(PlaywrightError):
            await self._session.send("Page.stopScreencast")
            await self._session.detach()

    def _on_frame(self, event: dict[str, Any]) -> None:
        meta = event.get("metadata", {})
        frame = Frame(
            base64.b64decode(event["data"]), int(meta.get("deviceWidth", 0)), int(meta.get("deviceHeight", 0))
        )
        self._put(frame)
        # Without an ack the browser stops sending frames.
        ack = asyncio.ensure_future(self._ack(int(event["sessionId"])))
        self._acks.add(ack)
        ack.add_done_callback(self._acks.discard)

    def _put(self, frame: Frame) -> None:
        if self.frames.full():
            with suppress(asyncio.QueueEmpty):
                self.frames.get_nowait()
        self.frames.put_nowait(frame)

    async def _ack(self, session_id: int) -> None:
        with suppress(PlaywrightError):
            await self._session.send("Page.screencastFrameAck", {"sessionId": session_id})

    async def send_input(self, message: dict[str, Any]) -> None:
        """Replays one input message from the operator's page on the task's page."""
        kind = message.get("type")
        if kind in _MOUSE_TYPES:
            await self._session.send("Input.dispatchMouseEvent", _mouse(message))
        elif kind in _KEY_TYPES:
            await self._session.send("Input.dispatchKeyEvent", _key(message))
        else:
            raise ValueError(f"not an input event: {kind!r}")


def _mouse(message: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "type": message["type"],
        "x": float(message["x"]),
        "y": float(message["y"]),
        "button": message.get("button", "none" if message["type"] == "mouseMoved" else "left"),
        "clickCount": int(message.get("clickCount", 1 if message["type"] != "mouseMoved" else 0)),
        "modifiers": int(message.get("modifiers", 0)),
    }
    if message["type"] == "mouseWheel":
        params.update(deltaX=float(message.get("deltaX", 0)), deltaY=float(message.get("deltaY", 0)), button="none")
    return params


def _key(message: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"type": message["type"], "modifiers": int(message.get("modifiers", 0))}
    for name in ("key", "code", "text"):
        if message.get(name):
            params[name] = str(message[name])
    if message.get("keyCode"):
        params["windowsVirtualKeyCode"] = int(message["keyCode"])
    if message["type"] == "keyDown" and "text" not in params:
        params["type"] = "rawKeyDown"  # Enter, Tab, arrows: a key with no text of its own
    return params


class Viewer:
    """One Playwright driver per takeover process; one view per operator connection."""

    def __init__(self) -> None:
        self._driver = PlaywrightDriver()

    @asynccontextmanager
    async def view(self, cdp_url: str, target_id: str | None = None) -> AsyncIterator[LiveView]:
        pw = await self._driver.get()
        try:
            browser = await pw.chromium.connect_over_cdp(cdp_url, timeout=10_000)
        except PlaywrightError as exc:
            raise ViewError(f"the task's browser does not answer: {exc.message.splitlines()[0]}") from None
        try:
            page = await _tab(browser.contexts, target_id) if target_id else _page_of(browser.contexts)
            live = LiveView(await page.context.new_cdp_session(page), page)
            await live.start()
            try:
                yield live
            finally:
                await live.stop()
        finally:
            with suppress(PlaywrightError):
                await browser.close()  # over CDP this only disconnects; the task's browser stays

    async def close(self) -> None:
        await self._driver.close()


async def _tab(contexts: list[BrowserContext], target_id: str) -> Page:
    for page in (p for c in contexts for p in c.pages if not p.is_closed()):
        with suppress(PlaywrightError, KeyError):
            session = await page.context.new_cdp_session(page)
            info = await session.send("Target.getTargetInfo")
            await session.detach()
            if info["targetInfo"]["targetId"] == target_id:
                return page
    raise ViewError("the task's tab is no longer open")


def _page_of(contexts: list[BrowserContext]) -> Page:
    """A browser from before tabs were named (no target id): the page worked on last."""
    pages = [p for c in contexts for p in c.pages if not p.is_closed()]
    worked = [p for p in pages if p.url != "about:blank"]
    if not pages:
        raise ViewError("the task's browser has no page open")
    return worked[-1] if worked else pages[0]
