"""Which template runs a page: its URL pattern and one of its detection selectors must both match."""

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
    for candidate in candidates:
        for selector in candidate.detection.selectors:
            if await _shows(page, selector):
                return candidate
    return None
