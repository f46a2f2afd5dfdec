"""Fixtures of the executor's browser tests: a sandbox of the job sites and a headless Chromium, each
started once per module (a module's tests may change the sandbox's accounts and flags)."""

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from autoapply.local.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("executor-sandbox") / "state")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    """A headless Chromium that resolves no host name but loopback."""
    home = tmp_path_factory.mktemp("executor-chromium-home")
    env: dict[str, str | float | bool] = {**browser_env(home)}
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(find_chromium()), args=chromium_flags(block_dns=True), env=env
        )
        yield chromium
        await chromium.close()
    stop_crash_handlers(home)
