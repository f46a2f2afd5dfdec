"""Which template a sandbox job page gets: Ashby's and Lever's postings share a path shape (/<org>/<uuid>),
so the detection selectors decide, on the overview and the application page alike."""

import pytest
from playwright.async_api import Browser

from services.executor import detect
from services.executor.templates import load_all
from tests.sandbox.harness import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@pytest.mark.parametrize(
    ("site", "suffix", "expected"),
    [
        ("ashby", "", "ashby"),
        ("ashby", "/application", "ashby"),
        ("lever", "", "lever"),
        ("greenhouse", "", "greenhouse"),
    ],
)
async def test_a_job_page_gets_its_platforms_template(
    sandbox: Sandbox, browser: Browser, site: str, suffix: str, expected: str
) -> None:
    page = await browser.new_page()
    try:
        await page.goto(sandbox.job(site, 1)["url"] + suffix)
        found = await detect.template(page, load_all())
    finally:
        await page.close()
    assert found is not None and found.platform == expected
