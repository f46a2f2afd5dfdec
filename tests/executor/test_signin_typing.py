"""The stored account typed into each sandbox site's sign-in wall (LinkedIn's and the generic ones
of `login_wall=1`), in a real Chromium: the wall is seen, the account typed and sent, the job is
shown after, and the site counted one sign-in. A Workday tenant that says only "not verified" to
the stored account is asked to mail the verification again, and that mail is what is waited for."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from contracts.states import TaskState
from forms.outcomes import challenges
from runtime.sealing import Sealer, credential_context
from services.executor import accounts
from services.executor.barriers import seen
from services.executor.credentials import Credential
from services.executor.pages import shows
from services.executor.signin import Login, type_login
from services.executor.templates import load_all
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration
SITES = ("linkedin", "greenhouse", "lever", "ashby", "careers")


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


@dataclass
class Told:
    """The little of a task run the account step uses: its progress, and the sealer of its accounts."""

    credentials: Sealer
    state: TaskState = TaskState.EXECUTING_RPA
    said: list[Any] = field(default_factory=list)

    @property
    def x(self) -> "Told":
        return self

    async def progress(self, state: TaskState, **detail: Any) -> None:
        self.said.append(detail.get("detail"))


@dataclass
class OnPage:
    page: Page
    run: Told
    opened_link: bool = False


def _stored(sealer: Sealer, tenant: str, email: str, password: str) -> Credential:
    user_id = uuid.uuid4()
    sealed = sealer.seal(password.encode(), credential_context(user_id, "workday", tenant, email))
    return Credential(user_id, "workday", tenant, email, sealed, "signup", datetime(2026, 1, 2, tzinfo=UTC))


@pytest.mark.parametrize("code", [False, True], ids=["link", "code"])
async def test_a_tenant_that_says_only_not_verified_is_asked_to_mail_it_again(
    sandbox: Sandbox, chromium_browser: Browser, code: bool
) -> None:
    """An account made earlier, its sign-up mail gone: the stored account signs in, the tenant says
    only "Account not verified.", the executor presses its resend button, and waits for the mail that
    click sent (a link, or a code where its page asks for one), not the sign-up's. The new link
    verifies the account and the next sign-in is let in; once a link was opened and the tenant still
    says so, a person is asked."""
    job = sandbox.job("workday", 5 if code else 4)
    sandbox.set_flags("workday", job["job_id"], bare_unverified=True, email_code=code)
    email, password = f"ada.{uuid.uuid4().hex[:8]}@example.org", f"Pw-{uuid.uuid4().hex[:8]}!A1"
    sandbox.post(
        "/_admin/accounts", {"site": f"workday:{job['org']}", "email": email, "password": password, "verified": False}
    )
    sealer = Sealer(bytes(32))
    stored = _stored(sealer, f"{job['org'].lower()}.localhost", email, password)
    pages = load_all()["workday"].account
    assert pages is not None
    context = await chromium_browser.new_context()
    flow = OnPage(await context.new_page(), Told(sealer))
    try:
        await flow.page.goto(job["url"] + "/apply/applyManually?mode=signin", wait_until="domcontentloaded")
        before = datetime.now(UTC)
        halt = await accounts._sign_in(flow, pages, stored)  # type: ignore[arg-type]
        assert halt is not None and halt.since is not None and halt.since >= before, halt
        assert flow.run.said == ["resend_verification"]
        [mail] = sandbox.get("/_admin/mailbox", to=email)["messages"]  # the one the click sent
        if code:
            assert (halt.kind, mail["subject"]) == ("email_code", f"{job['company']}: your verification code")
            assert pages.code_form and await shows(flow.page, (pages.code_form,))  # where the code is typed
            return
        assert (halt.kind, mail["subject"]) == ("email_link", f"{job['company']}: verify your candidate account")
        assert "mailed its link again" in halt.message
        link = re.search(r"https?://\S+/activate/\S+", mail["text"])
        assert link is not None
        await flow.page.goto(link.group(0), wait_until="domcontentloaded")
        await flow.page.goto(job["url"] + "/apply/applyManually?mode=signin", wait_until="domcontentloaded")
        assert await accounts._sign_in(flow, pages, stored) is None  # type: ignore[arg-type]
        [account] = [
            a for a in sandbox.get("/_admin/accounts", site=f"workday:{job['org']}")["accounts"] if a["email"] == email
        ]
        assert account["verified"]
        flow.opened_link = True  # a link opened in this delivery, and the site still says not verified:
        halt = await accounts._not_verified(flow, pages, stored)  # type: ignore[arg-type]
        assert halt.kind == "human" and halt.message == accounts.STILL_UNVERIFIED
        assert password not in "".join(str(m) for m in sandbox.get("/_admin/mailbox", to=email)["messages"])
    finally:
        await context.close()
        sandbox.clear_flags("workday", job["job_id"])
