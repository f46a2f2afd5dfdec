"""Cookie banners are refused (never accepted for the user) before a form is filled."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from forms.consent import refuse_cookies

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

BANNER = """<!doctype html><html><body>
<div id=onetrust-banner-sdk role=dialog><p>We use cookies.</p>
  <button onclick="document.body.dataset.answer='accept'; this.parentElement.remove()">Accept all</button>
  <button onclick="document.body.dataset.answer='reject'; this.parentElement.remove()">Reject all</button></div>
<form><label for=n>Name</label><input id=n><button type=button>Decline</button></form>
</body></html>"""


async def test_the_banner_is_refused_and_nothing_else_is_clicked(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(BANNER)
    first = await refuse_cookies(page)
    second = await refuse_cookies(page)  # the form's own "Decline" is no banner's button
    answer = await page.evaluate("() => document.body.dataset.answer")
    await page.close()
    assert (first, second, answer) == ("Reject all", "", "reject")
