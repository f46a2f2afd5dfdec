"""Fixtures: the sandbox as a real subprocess on free loopback ports, and headless Chromium."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.sandbox.harness import Sandbox, make_pdf, start_sandbox, stop_sandbox

CHROMIUM = os.environ.get("SANDBOX_TEST_CHROMIUM", "/usr/bin/chromium")  # the distribution's Chromium
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("sandbox") / "state", "--captcha-oracle")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


# Module scope: Playwright's sync API keeps an event loop running while it is open, which would
# stop the asyncio tests of other modules from running theirs; these modules hold no async tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[LOOPBACK_ONLY])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(8000)
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    yield tab
    context.close()
    outside = [u for u in requested if not u.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))]
    assert outside == [], "a sandbox page loaded something from outside loopback"


@pytest.fixture
def email() -> str:
    return f"ada.example.{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def resume_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "Ada_Example_Resume.pdf"
    path.write_bytes(make_pdf("Ada Example - Resume"))
    return path
