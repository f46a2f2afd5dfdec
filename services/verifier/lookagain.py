"""A second look at the job page, in the browser the task already runs in (over CDP).

The browser belongs to the provisioner: the verifier opens one tab, reads it, closes the tab and
disconnects, and never closes the browser.
"""

import logging

from playwright.async_api import Error, async_playwright

log = logging.getLogger(__name__)

# A job page loads in a few seconds; a slower one is no proof either way.
PAGE_TIMEOUT_S = 20.0


async def job_page_text(cdp_endpoint: str, url: str) -> str | None:
    """The visible text of the job page, or None when the browser or the page cannot be reached."""
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(cdp_endpoint, timeout=PAGE_TIMEOUT_S * 1000)
            context = browser.contexts[0] if browser.contexts else await browser.new_context()
            page = await context.new_page()
            try:
                await page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
                return await page.inner_text("body", timeout=PAGE_TIMEOUT_S * 1000)
            finally:
                await page.close()
    except Error as exc:
        log.warning("second look failed: %s", type(exc).__name__)
        return None
