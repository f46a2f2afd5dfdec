"""The operator's live view on a real Chromium: frames arrive, and clicks and keys reach the page."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
from playwright.async_api import async_playwright

from autoapply.local.chromium import ChromiumServer
from services.takeover.liveview import Frame, LiveView, Viewer, ViewError

pytestmark = pytest.mark.integration

PAGE = """data:text/html,<html><body style="margin:0">
<button id="b" style="position:absolute;left:100px;top:80px;width:160px;height:50px"
 onclick="this.textContent='clicked '+(++window.n)">press</button>
<input id="t" style="position:absolute;left:100px;top:200px;width:200px">
<p id="tick"></p>
<script>window.n=0;setInterval(()=>{document.getElementById('tick').textContent=Date.now()},100)</script>
</body></html>"""


@pytest.fixture
async def task_browser(chromium_server_factory: Callable[..., ChromiumServer]) -> AsyncIterator[str]:
    """A browser as the executor leaves it: the task's page open, nobody attached."""
    chromium = chromium_server_factory()
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(chromium.url)
        page = browser.contexts[0].pages[0]
        await page.goto(PAGE)
        await browser.close()
    yield chromium.url


@pytest.fixture
async def viewer() -> AsyncIterator[Viewer]:
    made = Viewer()
    yield made
    await made.close()


async def frames_for(live: LiveView, seconds: float) -> list[Frame]:
    got: list[Frame] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            got.append(await asyncio.wait_for(live.frames.get(), left))
        except TimeoutError:
            break
    return got


async def click(live: LiveView, x: float, y: float) -> None:
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        await live.send_input({"type": kind, "x": x, "y": y})


async def test_frames_stream_and_a_click_lands_on_the_task_page(task_browser: str, viewer: Viewer) -> None:
    async with viewer.view(task_browser) as live:
        frames = await frames_for(live, 2.0)
        assert len(frames) >= 5, f"{len(frames)} frames in 2 s"
        assert frames[-1].jpeg[:2] == b"\xff\xd8" and frames[-1].width > 0
        await click(live, 180, 105)
        await click(live, 180, 105)
        assert await live.page.inner_text("#b") == "clicked 2"


async def test_typed_keys_reach_the_focused_field(task_browser: str, viewer: Viewer) -> None:
    async with viewer.view(task_browser) as live:
        await click(live, 150, 210)
        for char in "ok 42":
            await live.send_input({"type": "keyDown", "key": char, "text": char})
            await live.send_input({"type": "keyUp", "key": char})
        await live.send_input({"type": "keyDown", "key": "Backspace", "code": "Backspace", "keyCode": 8})
        await live.send_input({"type": "keyUp", "key": "Backspace", "code": "Backspace", "keyCode": 8})
        assert await live.page.input_value("#t") == "ok 4"


async def test_something_that_is_not_input_is_refused(task_browser: str, viewer: Viewer) -> None:
    async with viewer.view(task_browser) as live:
        with pytest.raises(ValueError, match="not an input event"):
            await live.send_input({"type": "Runtime.evaluate", "expression": "1"})


async def test_a_gone_browser_is_a_view_error(
    chromium_server_factory: Callable[..., ChromiumServer], viewer: Viewer
) -> None:
    chromium = chromium_server_factory()
    url = chromium.url
    await asyncio.to_thread(chromium.kill)
    with pytest.raises(ViewError, match="does not answer"):
        async with viewer.view(url):
            pass
