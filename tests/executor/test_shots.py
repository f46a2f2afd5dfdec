"""A template step that changed nothing on the page shares the last screenshot: what decides it is the
page's look (address, text, field values, scroll), read in real Chromium."""

import struct
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, async_playwright

from autoapply.local.chromium import chromium_flags, find_chromium
from services.executor.receipt import capture, look

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

FORM = """<h1>Apply</h1><form><label for="name">Name</label><input id="name">
<label><input type="checkbox" id="terms"> Terms</label><select id="pick"><option>a</option><option>b</option>
</select></form><div style="height: 3000px"></div>"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page() -> AsyncIterator[Page]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(find_chromium()), args=chromium_flags(block_dns=True))
        opened = await browser.new_page()
        await opened.set_content(FORM)
        yield opened
        await browser.close()


async def test_the_look_changes_with_what_a_screenshot_would_show(page: Page) -> None:
    first = await look(page)
    assert first is not None and await look(page) == first  # nothing changed: the same look
    changes = [
        "document.getElementById('name').value = 'Ada'",
        "document.getElementById('terms').checked = true",
        "document.getElementById('pick').value = 'b'",
        "document.querySelector('h1').textContent = 'Thank you for applying'",
        "window.scrollTo(0, 800)",
    ]
    looks = [first]
    for change in changes:
        await page.evaluate(change)
        looks.append(await look(page))
    assert len(set(looks)) == len(looks)  # every change is a new look


async def test_a_shot_is_the_viewport_as_a_png(page: Page) -> None:
    data = await capture(page)
    again = await capture(page)  # the page's session is kept for its next shot
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and again[:8] == data[:8]
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk's size
    viewport = await page.evaluate("[innerWidth, innerHeight]")
    assert [width, height] == viewport
