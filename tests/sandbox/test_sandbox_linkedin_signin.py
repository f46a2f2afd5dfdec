"""LinkedIn's sign-in that lasts (the li_at cookie outlives the browser session; sign-ins are
counted) and its checkpoints: the security check and two-step verification."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.sandbox.harness import Sandbox
from tests.sandbox.test_sandbox_linkedin_careers import PASSWORD, sign_in_linkedin

pytestmark = pytest.mark.integration


def _signins(sandbox: Sandbox, email: str) -> int:
    return len(sandbox.get("/_admin/signins", site="linkedin", email=email)["signins"])


def test_a_sign_in_outlives_the_browser_session_through_its_long_lived_cookie(
    sandbox: Sandbox, page: Page, browser: Browser, email: str
) -> None:
    job = sandbox.job("linkedin", 10)
    sign_in_linkedin(sandbox, page, job, email)
    assert _signins(sandbox, email) == 1
    kept = [c for c in page.context.cookies() if c["name"] == "li_at"]
    assert kept and kept[0]["expires"] > 0 and kept[0]["httpOnly"]  # persistent: kept on disk by a browser
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "sbx_session")
    assert session_cookie["expires"] == -1  # gone when the browser closes
    restarted = browser.new_context()  # a browser started again: only persistent cookies survive
    try:
        restarted.add_cookies(kept)  # type: ignore[arg-type]
        again = restarted.new_page()
        again.goto(job["url"])
        expect(again.locator("h1")).to_have_text(job["title"])
        expect(again.locator("button.jobs-apply-button")).to_be_visible()
    finally:
        restarted.close()
    assert _signins(sandbox, email) == 1  # no second sign-in
    page.context.clear_cookies()
    page.goto(job["url"])
    expect(page).to_have_url(re.compile(r"/linkedin/login\?"))  # no cookie, no session: the wall again


def test_the_security_check_stops_a_signed_in_member_once(sandbox: Sandbox, page: Page, email: str) -> None:
    job = sandbox.job("linkedin", 11)
    sign_in_linkedin(sandbox, page, job, email)
    page.goto(job["url"] + "?checkpoint=1")
    expect(page).to_have_url(re.compile(r"/linkedin/checkpoint/challenge/AQ"))
    expect(page.get_by_role("heading", name="Let\u2019s do a quick security check")).to_be_visible()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("not a robot")
    page.get_by_label("I\u2019m not a robot").check()
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("h1")).to_have_text(job["title"])
    page.goto(job["url"] + "?checkpoint=1")
    expect(page.locator("button.jobs-apply-button")).to_be_visible()  # passed once: not asked again


def test_two_step_verification_asks_for_the_code_the_phone_got(sandbox: Sandbox, page: Page) -> None:
    email = f"ada.two.{uuid.uuid4().hex[:8]}@example.com"
    job = sandbox.job("linkedin", 11)
    sandbox.post("/_admin/accounts", {"site": "linkedin", "email": email, "password": PASSWORD})
    page.goto(job["url"] + "?two_step=1")
    page.fill("#username", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    cid = page.url.rsplit("/", 1)[-1]
    code = next(c["code"] for c in sandbox.get("/_admin/challenges")["challenges"] if c["challenge_id"] == cid)
    page.get_by_label("Enter code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("isn't valid")
    page.get_by_label("Enter code").fill(code)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("h1")).to_have_text(job["title"])
    assert "two_step=1" in page.url  # the flag travels with the flow
