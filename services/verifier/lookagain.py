"""A second look at the job page, in the browser the task already runs in (over CDP).

The browser belongs to the provisioner: the verifier opens one tab, reads it, closes the tab and
disconnects, and never closes the browser. One Playwright driver (a node process) serves every look
of the service, started at the first: one started per look cost more CPU than the look itself.
"""

import logging

from playwright.async_api import Error

from runtime.browsers import PlaywrightDriver

log = logging.getLogger(__name__)

# A job page loads in a few seconds; a slower one is no proof either way.
PAGE_TIMEOUT_S = 20.0


class SecondLook:
    def __init__(self) -> None:
        self._driver = PlaywrightDriver()

    async def __call__(self, cdp_endpoint: str, url: str) -> str | None:
        """The visible text of the job page, or None when the browser or the page cannot be reached."""
        try:
            pw = await self._driver.get()
            browser = await pw.chromium.connect_over_cdp(cdp_endpoint, timeout=PAGE_TIMEOUT_S * 1000)
            try:
                context = browser.contexts[0] if browser.contexts else await browser.new_context()
                page = await context.new_page()
                try:
                    await page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
                    return await page.inner_text("body", timeout=PAGE_TIMEOUT_S * 1000)
                finally:
                    await page.close()
            finally:
                await browser.close()  # over CDP this only disconnects
        except Error as exc:
            log.warning("second look failed: %s", type(exc).__name__)
            return None

    async def close(self) -> None:
        await self._driver.close()
