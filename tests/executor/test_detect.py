"""Which template a sandbox job page gets: Ashby's and Lever's postings share a path shape (/<org>/<uuid>),
so the detection selectors decide, on the overview and the application page alike."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from autoapply.local.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers
from services.executor import detect
from services.executor.templates import load_all
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("detect-sandbox") / "state")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    home: Path = tmp_path_factory.mktemp("detect-chromium-home")
    env: dict[str, str | float | bool] = {**browser_env(home)}
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(find_chromium()), args=chromium_flags(block_dns=True), env=env
        )
        yield chromium
        await chromium.close()
    stop_crash_handlers(home)


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
