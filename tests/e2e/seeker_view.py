"""The job seeker's live view of their task's browser: their own page in a real Chromium (the canvas
clicked and typed into where the task's page has its fields), and takeover's socket as the page's
script opens it (a ticket from intake) for the refusals."""

import re
from dataclasses import dataclass
from uuid import UUID

import httpx
import websockets
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.intake.client import PASSWORD, User
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


@dataclass(frozen=True)
class Spots:
    """Where elements' middles are on the task's page, and the page's size, in CSS pixels: what the
    person sees in the picture."""

    at: dict[str, tuple[float, float]]
    width: float
    height: float


async def spots(cdp_url: str, *selectors: str) -> Spots:
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url)
        try:
            page = next(p for c in browser.contexts for p in c.pages if p.url.startswith("http"))
            found = {}
            for selector in selectors:
                box = await page.locator(selector).first.bounding_box()
                assert box is not None, selector
                found[selector] = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            size = await page.evaluate("[document.documentElement.clientWidth, document.documentElement.clientHeight]")
            return Spots(found, float(size[0]), float(size[1]))
        finally:
            await browser.close()  # the CDP connection only: the browser stays the provisioner's


async def their_page(browser: Browser, base_url: str, user: User, task_id: UUID) -> Page:
    """The user's own page for the task, in a browser of theirs, signed in through its form."""
    context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    return await signed_in(context, user, task_id)


async def signed_in(context: BrowserContext, user: User, task_id: object) -> Page:
    """A new page of the context on the user's task, signed in through the page's form."""
    page = await context.new_page()
    await page.goto(f"/app/signin?next=/app/tasks/{task_id}")
    await page.get_by_label("E-mail").fill(user.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.locator("form.auth button[type=submit]").click()
    await expect(page).to_have_url(re.compile(f"/app/tasks/{task_id}$"))
    return page


async def shows_the_browser(page: Page, frames_before: int = 0) -> None:
    """The sign-in section is up and the canvas has drawn the task's page (a first frame, then one
    per repaint; attaching to the task's browser takes a while on a loaded machine)."""
    await expect(page.locator("#signin")).to_be_visible(timeout=60_000)
    drawn = "n => Number(document.getElementById('signin-screen').dataset.frames || 0) > n"
    try:
        await page.wait_for_function(drawn, arg=frames_before, timeout=60_000)
    except PlaywrightTimeout:
        said = [await page.locator(s).inner_text() for s in ("#signin-status", "#signin-notice")]
        raise AssertionError(f"the live view drew no frame; the page says {said}") from None
    await expect(page.locator("#signin-status")).to_have_text("live")
    await page.locator("#signin-screen").scroll_into_view_if_needed()


async def frames(page: Page) -> int:
    return int(await page.locator("#signin-screen").evaluate("c => Number(c.dataset.frames || 0)"))


async def click_at(page: Page, spots: Spots, selector: str) -> None:
    """A click on the picture where the element is: the canvas scales the page to its own box."""
    canvas = page.locator("#signin-screen")
    box = await canvas.bounding_box()
    assert box is not None
    x, y = spots.at[selector]
    await canvas.click(position={"x": x * box["width"] / spots.width, "y": y * box["height"] / spots.height})


async def refused(url: str) -> bool:
    """True when takeover will not open this view (the handshake is answered 403)."""
    try:
        socket = await websockets.connect(url, open_timeout=20)
    except websockets.exceptions.InvalidStatus:
        return True
    await socket.close()
    return False
