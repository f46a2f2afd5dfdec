"""Fixtures for the engine's end-to-end tests: the sandbox job sites and one Chromium for the package.

One of each for the package's modules, not one per module (a sandbox and a Chromium start each cost
seconds of CPU): the Chromium's Playwright connection lives on the package's event loop, so every
module that takes `browser` runs its tests on that loop (`pytest.mark.asyncio(loop_scope="package")`).
Tests keep apart by pages and users of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from autoapply.local.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers
from tests.sandbox.harness import Sandbox, make_pdf, start_sandbox, stop_sandbox


@pytest.fixture(scope="package")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("forms-sandbox") / "state", "--captcha-oracle")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    """A headless Chromium that resolves no host name but loopback."""
    home = tmp_path_factory.mktemp("forms-chromium-home")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=str(find_chromium()), args=chromium_flags(block_dns=True), env=browser_env(home)
        )
        yield chromium
        await chromium.close()
    stop_crash_handlers(home)


@pytest.fixture(scope="package")
def resume_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forms-files") / "Ada_Example_Resume.pdf"
    path.write_bytes(make_pdf("Ada Example - Resume"))
    return path
