"""The task's browser, reached over CDP: the provisioner started it, the executor only attaches.

Attaching never launches anything, and detaching (`Attached.detach`) leaves the browser running:
a task waiting for a person keeps its page, and any executor instance re-attaches to it later.
An account's browser serves several tasks, each in its own tab: the task works in the tab whose
CDP target id profile.ready named, never in "the first page" (which may be another task's).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from runtime.browsers import PlaywrightDriver

# The page a person or an earlier step left open is the one to continue on; the executor's own
# tabs (the exit-IP check) close again.
ABOUT_BLANK = "about:blank"


class BrowserGone(Exception):
    """The CDP endpoint does not answer: the browser died or was stopped."""


class NavigationFailed(Exception):
    """The job page did not load in time (or the network refused it)."""


@dataclass
class Attached:
    browser: Browser
    context: BrowserContext
    page: Page

    async def detach(self) -> None:
        """Drops the CDP connection; the browser and its pages stay as they are."""
        await _disconnect(self.browser)


async def _disconnect(browser: Browser) -> None:
    try:
        await browser.close()  # over CDP this only disconnects
    except PlaywrightError:
        pass


class Driver:
    """One Playwright driver per executor process, shared by its tasks."""

    def __init__(self) -> None:
        self._driver = PlaywrightDriver()

    @asynccontextmanager
    async def attach(
        self, cdp_url: str, target_id: str | None = None, timeout_s: float = 10.0
    ) -> AsyncIterator[Attached]:
        pw = await self._driver.get()
        try:
            browser = await pw.chromium.connect_over_cdp(cdp_url, timeout=timeout_s * 1000)
        except PlaywrightError as exc:
            raise BrowserGone(f"no browser answers at the task's CDP endpoint: {exc.message.splitlines()[0]}") from None
        try:
            found = await _tab(browser, target_id) if target_id else await _working_page(browser)
        except BaseException:
            await _disconnect(browser)
            raise
        attached = Attached(browser, *found)
        try:
            yield attached
        finally:
            await attached.detach()

    async def close(self) -> None:
        await self._driver.close()


async def _tab(browser: Browser, target_id: str) -> tuple[BrowserContext, Page]:
    """The task's own tab; BrowserGone when it was closed (the browser restarted, or it was shut)."""
    for context in browser.contexts:
        for page in context.pages:
            if not page.is_closed() and await target_of(page) == target_id:
                return context, page
    raise BrowserGone("the task's tab is gone from its browser")


async def target_of(page: Page) -> str | None:
    """A page's CDP target id (Playwright does not expose it)."""
    try:
        session = await page.context.new_cdp_session(page)
        try:
            info = await session.send("Target.getTargetInfo")
        finally:
            await session.detach()
    except PlaywrightError:
        return None
    return str(info["targetInfo"]["targetId"])


async def _working_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.contexts[0] if browser.contexts else await browser.new_context()
    pages = [p for p in context.pages if not p.is_closed()]
    worked = [p for p in pages if p.url != ABOUT_BLANK]
    page = worked[-1] if worked else (pages[0] if pages else await context.new_page())
    return context, page


async def navigate(page: Page, url: str, timeout_s: float) -> None:
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        raise NavigationFailed(f"the job page did not load within {timeout_s:.0f} s") from None
    except PlaywrightError as exc:
        raise NavigationFailed(f"the job page did not load: {exc.message.splitlines()[0]}") from None


async def exit_ip(context: BrowserContext, echo_url: str, timeout_s: float = 10.0) -> str:
    """The address the sites see, asked through the browser itself (so through its proxy)."""
    tab = await context.new_page()
    try:
        await tab.goto(echo_url, timeout=timeout_s * 1000)
        return (await tab.inner_text("body")).strip()
    except PlaywrightError as exc:
        raise NavigationFailed(f"the exit-IP check did not answer: {exc.message.splitlines()[0]}") from None
    finally:
        await tab.close()


async def screenshot(page: Page) -> bytes:
    return await page.screenshot(type="png", full_page=True, timeout=10_000)
