"""What stops a form is a named outcome: a visible CAPTCHA (an invisible one is nothing), an emailed
code, a login wall, a closed job, an earlier application, a job applied to on another site."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route

from forms.fill import fill_form
from forms.platforms import by_name
from forms.submit import outcome
from tests.forms.test_fill_sandbox import START, apply, pick, profile_for, sign_in_for
from tests.sandbox.harness import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]


def new_email() -> str:
    return f"ada.{uuid.uuid4().hex[:10]}@example.org"


async def solve_captcha(sandbox: Sandbox, page: Page, *, stays: bool = True) -> None:
    """Play the person who solves it: the oracle says which tiles they would click.

    `stays`: the frame stays once solved (Lever's closes, and the form goes on by itself)."""
    frame = page.frame_locator('iframe[src*="/_captcha/frame"]')
    challenge = await frame.locator("#captcha-challenge").input_value()
    for n in sandbox.get(f"/_admin/captcha/{challenge}")["answer"]:
        await frame.locator(f'.captcha-tile[data-n="{n}"]').click()
    await frame.locator("#captcha-verify").click()
    if stays:
        await frame.locator("#captcha-done").wait_for()


async def test_visible_captcha_is_reported_then_the_person_solves_it(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    """Lever's challenge shows after the submit click; once a person solves it, the form goes by itself."""
    job = sandbox.get("/_admin/jobs", site="lever")["jobs"][12]
    assert job["flags"]["captcha"]
    email = new_email()
    report, sent, page = await apply(browser, job["url"] + START["lever"], profile_for(resume_pdf, email))
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "challenge"
    assert [c.kind for c in sent.challenges] == ["captcha"]
    assert sandbox.submissions(site="lever", email=email) == []
    await solve_captcha(sandbox, page, stays=False)
    after = await outcome(page, by_name("lever"))
    await page.context.close()
    assert after.status == "submitted", after
    assert len(sandbox.submissions(site="lever", email=email)) == 1


async def test_a_challenge_before_submit_is_reported_with_the_form_filled(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    job = sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][12]
    assert job["flags"]["captcha"]
    email = new_email()
    report, sent, page = await apply(browser, job["url"], profile_for(resume_pdf, email))
    await page.context.close()
    if report.status == "needs_answers":
        pytest.fail(f"the CAPTCHA job asks what the test profile does not answer: {report.detail}")
    assert report.status == "challenge" and [c.kind for c in report.challenges] == ["captcha"]
    assert report.filled_count > 5 and sent is None
    assert sandbox.submissions(site="greenhouse", email=email) == []


INVISIBLE = """<!doctype html><form action="/done" method="get">
<label for=fn>First name</label><input id=fn name=fn required>
<label for=em>Email</label><input id=em name=em type=email required>
<div class="grecaptcha-badge" style="width:256px;height:60px;position:fixed;bottom:14px;right:-186px">
<iframe src="https://www.example.org/recaptcha/api2/anchor?k=site&size=invisible" width=256 height=60></iframe></div>
<iframe src="https://www.example.org/recaptcha/api2/bframe?k=site"
 style="visibility:hidden;position:absolute;top:-10000px" width=400 height=580></iframe>
<button type=submit>Submit application</button></form>"""


async def test_an_invisible_captcha_needs_nobody(browser: Browser, resume_pdf: Path) -> None:
    context = await browser.new_context()

    async def local(route: Route) -> None:  # nothing leaves the machine: the frames get empty pages
        await route.fulfill(
            body="<html></html>" if "recaptcha" in route.request.url else INVISIBLE, content_type="text/html"
        )

    await context.route("**/*", local)
    page = await context.new_page()
    await page.goto("https://jobs.example.org/apply")
    report = await fill_form(page, profile_for(resume_pdf, new_email()))
    await context.close()
    assert report.status == "ready" and report.challenges == ()
    assert report.filled_count == 2


async def test_closed_job_and_login_wall(sandbox: Sandbox, browser: Browser, resume_pdf: Path) -> None:
    closed = sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][13]
    report, _, page = await apply(browser, closed["url"], profile_for(resume_pdf, new_email()))
    await page.context.close()
    assert report.status == "challenge" and report.challenges[0].kind == "closed"
    walled = pick(sandbox, "ashby")
    report, _, page = await apply(
        browser, walled["url"] + START["ashby"] + "?login_wall=1", profile_for(resume_pdf, new_email())
    )
    await page.context.close()
    assert report.status == "challenge" and "login_wall" in [c.kind for c in report.challenges]


async def test_emailed_code_and_already_applied_after_submit(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    coded = sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][11]
    assert coded["flags"]["email_verify"]
    email = new_email()
    report, sent, page = await apply(browser, coded["url"], profile_for(resume_pdf, email))
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "challenge"
    assert [c.kind for c in sent.challenges] == ["email_code"]
    job = pick(sandbox, "lever")
    email = new_email()
    report, sent, page = await apply(
        browser, f"{job['url']}{START['lever']}?applied={email}", profile_for(resume_pdf, email)
    )
    await page.context.close()
    assert report.status in ("ready", "challenge")
    outcome = sent.challenges if sent is not None else report.challenges
    assert [c.kind for c in outcome] == ["already_applied"]
    assert sandbox.submissions(site="lever", email=email) == []


async def test_a_job_applied_to_on_the_company_site_is_named_not_a_missing_button(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    """LinkedIn's "Apply" (not "Easy Apply") opens the company's site: there is no form here to fill."""
    job = next(j for j in sandbox.get("/_admin/jobs", site="linkedin")["jobs"][:11] if j["traps"]["external_apply"])
    email = new_email()
    report, sent, page = await apply(
        browser, job["url"], profile_for(resume_pdf, email), sign_in_for(sandbox, "linkedin", job, email)
    )
    url = page.url
    await page.context.close()
    assert report.status == "challenge" and sent is None, report.detail
    [outside] = report.challenges
    assert outside.kind == "external_apply" and "/careers/" in outside.detail
    assert url.split("?")[0] == job["url"].split("?")[0]  # nothing was clicked: the person or the caller decides
    assert sandbox.submissions(site="linkedin", email=email) == []
