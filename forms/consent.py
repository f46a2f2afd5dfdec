"""Cookie banners: refused, as most people answer them, before the form is filled.

A banner over the page takes the clicks meant for the form (the Next button, a checkbox). Its
"Reject all" or "Necessary only" button is clicked once per step; nothing optional is accepted for
the user. A banner with no such button is left alone (clicks then go to the element itself).
"""

from __future__ import annotations

from importlib import resources

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from forms.read import frames_of

CONSENT_JS = resources.files("forms").joinpath("consent.js").read_text(encoding="utf-8")
CLICK_MS = 2_000


async def refuse_cookies(page: Page) -> str:
    """The text of the banner button clicked, or "" when there was none."""
    for frame in frames_of(page):
        try:
            found = await frame.evaluate(CONSENT_JS)
            if found:
                await frame.locator("[data-autoapply-consent]").first.click(force=True, timeout=CLICK_MS)
                return str(found)
        except PlaywrightError:
            continue  # a frame that navigated, or a banner that went away by itself
    return ""
