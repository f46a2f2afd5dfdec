"""The stored account typed into each sandbox site's sign-in wall (LinkedIn's and the generic ones
of `login_wall=1`), in a real Chromium: the wall is seen, the account typed and sent, the job is
shown after, and the site counted one sign-in."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser

from forms.outcomes import challenges
from runtime.sealing import Sealer, credential_context
from services.executor.barriers import seen
from services.executor.credentials import Credential
from services.executor.signin import Login, type_login
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox

pytestmark = pytest.mark.integration
SITES = ("linkedin", "greenhouse", "lever", "ashby", "careers")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("signin-sandbox") / "state")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


def _login(site: str, email: str, password: str) -> Login:
    sealer, user_id = Sealer(bytes(32)), uuid.uuid4()
    sealed = sealer.seal(password.encode(), credential_context(user_id, site, None, email))
    return Login(Credential(user_id, site, "", email, sealed, "user", datetime.now(UTC)), sealer)


async def test_the_stored_account_passes_each_sites_wall(sandbox: Sandbox, chromium_browser: Browser) -> None:
    context = await chromium_browser.new_context()
    page = await context.new_page()
    try:
        for site in SITES:
            job = sandbox.job(site, 1)
            email, password = f"ada.{uuid.uuid4().hex[:8]}@example.org", f"Pw-{uuid.uuid4().hex[:8]}"
            sandbox.post("/_admin/accounts", {"site": site, "email": email, "password": password})
            await page.goto(job["url"] + "?login_wall=1", wait_until="domcontentloaded")
            wall = await seen(page, await challenges(page))
            assert wall is not None and wall.kind == "wall", site
            assert await type_login(page, _login(site, email, password)), site
            await page.wait_for_load_state("domcontentloaded")
            assert await seen(page, await challenges(page)) is None, site
            assert job["title"] in await page.content(), site
            assert len(sandbox.get("/_admin/signins", site=site, email=email)["signins"]) == 1, site
            await context.clear_cookies()
    finally:
        await context.close()
