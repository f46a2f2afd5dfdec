"""What stops a form is a named outcome: a visible CAPTCHA (an invisible one is nothing), an emailed
code, a login wall, a closed job, an earlier application."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route

from forms.fill import fill_form, submit
from tests.forms.test_fill_sandbox import START, apply, pick, profile_for
from tests.sandbox.harness import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


def new_email() -> str:
    return f"ada.{uuid.uuid4().hex[:10]}@example.org"


async def solve_captcha(sandbox: Sandbox, page: Page) -> None:
    """Play the person who solves it: the oracle says which tiles they would click."""
    frame = page.frame_locator("iframe[src*=captcha]")
    challenge = await frame.locator("#captcha-challenge").input_value()
    for n in sandbox.get(f"/_admin/captcha/{challenge}")["answer"]:
        await frame.locator(f'.captcha-tile[data-n="{n}"]').click()
    await frame.locator("#captcha-verify").click()
    await frame.locator("#captcha-done").wait_for()


async def test_visible_captcha_is_reported_then_the_person_solves_it(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    job = sandbox.get("/_admin/jobs", site="lever")["jobs"][12]
    assert job["flags"]["captcha"]
    email = new_email()
    report, sent, page = await apply(browser, job["url"] + START["lever"], profile_for(resume_pdf, email))
    assert report.status == "challenge" and [c.kind for c in report.challenges] == ["captcha"]
    assert sent is None and sandbox.submissions(site="lever", email=email) == []
    await solve_captcha(sandbox, page)
    again = await fill_form(page, profile_for(resume_pdf, email))
    assert again.status == "ready", again.detail
    assert (await submit(page, again)).status == "submitted"
    await page.context.close()
    assert len(sandbox.submissions(site="lever", email=email)) == 1


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
