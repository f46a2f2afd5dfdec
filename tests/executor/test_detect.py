"""Which template a sandbox job page gets: Ashby's and Lever's postings share a path shape (/<org>/<uuid>),
so the detection selectors decide, on the overview and the application page alike."""

import pytest
from playwright.async_api import Browser

from contracts.states import FailureReason
from services.executor import detect, halts
from services.executor.templates import ErrorHandler, load_all
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


async def test_the_templates_handlers_are_looked_for_in_one_pass(sandbox: Sandbox, browser: Browser) -> None:
    greenhouse = load_all()["greenhouse"]
    job = sandbox.job("greenhouse", 2)
    # A selector only Playwright reads (not plain CSS) is looked for its own way.
    own = ErrorHandler(trigger="already_applied", selectors=("h1.section-header:visible",), action="SKIP")
    submitted = greenhouse.model_copy(update={"error_handlers": (own,)})
    page = await browser.new_page()
    try:
        await page.goto(job["url"])
        nothing = await halts.from_template(page, greenhouse)  # an open job: nothing stops the step
        by_playwright = await halts.from_template(page, submitted)
        sandbox.set_flags("greenhouse", job["job_id"], closed=True)
        await page.goto(job["url"])
        closed = await halts.from_template(page, greenhouse)
    finally:
        sandbox.clear_flags("greenhouse", job["job_id"])
        await page.close()
    assert nothing is None
    assert by_playwright is not None and by_playwright.reason is FailureReason.ALREADY_APPLIED
    assert closed is not None and closed.reason is FailureReason.JOB_CLOSED
