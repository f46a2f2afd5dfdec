"""Which template runs a page: its URL pattern and one of its detection selectors must both match."""

import asyncio

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from services.executor.templates import Template

# Pages that draw their form after load (Greenhouse, Ashby, Workday) get this long to show a marker.
DETECT_WAIT_MS = 8_000


async def _shows(page: Page, selector: str) -> bool:
    try:
        return bool(await page.locator(selector).count())
    except PlaywrightError:
        return False


async def template(page: Page, templates: dict[str, Template]) -> Template | None:
    candidates = [t for t in templates.values() if t.matches_url(page.url)]
    if not candidates:
        return None
    markers = ", ".join(s for t in candidates for s in t.detection.selectors)
    try:
        await page.wait_for_selector(markers, state="attached", timeout=DETECT_WAIT_MS)
    except PlaywrightError:
        return None
    # Every marker asked at once (one round trip's wait, not one per marker); the first candidate
    # with one on the page wins, in the templates' order.
    shown = iter(await asyncio.gather(*(_shows(page, s) for t in candidates for s in t.detection.selectors)))
    found = [any([next(shown) for _ in t.detection.selectors]) for t in candidates]
    return next((t for t, seen in zip(candidates, found, strict=True) if seen), None)
