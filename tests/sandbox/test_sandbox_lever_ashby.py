"""Lever and Ashby replicas: person-like fills, Lever's CAPTCHA, Ashby's Yes/No buttons."""

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import PHONE, answer_for, attach, by_id, pick, solve_captcha
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration
SHAPES = ("circle", "square", "triangle", "cross")


def fill_lever(page: Page, job: dict[str, Any], email: str, resume: Path) -> dict[str, Any]:
    attach(page, page.locator(".visible-resume-upload"), resume)
    expect(page.locator(".resume-upload-success")).to_be_visible()
    page.locator('input[data-qa="name-input"]').fill("Ada Example")
    page.locator('input[data-qa="email-input"]').fill(email)
    page.locator('input[data-qa="phone-input"]').fill(PHONE)
    page.locator("#location-input").press_sequentially("Seat", delay=20)
    page.get_by_role("option", name="Seattle, Washington, United States").click()
    page.locator('input[name="org"]').fill("Example Corp")
    page.locator('input[name="urls[LinkedIn]"]').fill("https://www.linkedin.com/in/ada-example")
    expected: dict[str, Any] = {
        "name": "Ada Example",
        "email": email,
        "phone": PHONE,
        "org": "Example Corp",
        "location": "Seattle, Washington, United States",
        "urls[LinkedIn]": "https://www.linkedin.com/in/ada-example",
    }
    for q in job["questions"]:
        value = answer_for(q)
        field = page.locator(f'[name="{q["id"]}"]')
        if q["kind"] in ("yesno", "multi"):
            for option in [value] if isinstance(value, str) else value:
                page.locator(f'[name="{q["id"]}"][value="{option}"]').check()
        elif q["kind"] == "select":
            field.select_option(str(value))
        else:
            field.fill(str(value))
        expected[q["id"]] = value
    page.locator('select[name="eeo[gender]"]').select_option("Female")
    return expected | {"eeo[gender]": "Female"}


def test_person_fills_lever_and_the_record_matches(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("lever", 0)
    page.goto(job["url"])
    page.locator('a[data-qa="show-page-apply"]').click()
    expected = fill_lever(page, job, email, resume_pdf)
    page.locator('[data-qa="btn-submit"]').click()
    expect(page.get_by_role("heading", name="Application submitted!")).to_be_visible()
    [record] = sandbox.submissions(site="lever", job=job["job_id"], email=email)
    fields = {k: v for k, v in record["fields"].items() if not k.endswith("[baseTemplate]")}
    assert json.loads(fields.pop("selectedLocation"))["name"] == "Seattle, Washington, United States"
    assert fields == expected
    assert record["files"][0]["sha256"] == hashlib.sha256(resume_pdf.read_bytes()).hexdigest()
    assert "<no-reply@hire.lever.co>" in sandbox.mail(email, "Thank you for your application")["from"]


def test_lever_challenge_opens_after_the_submit_click_and_blocks_until_solved(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = sandbox.job("lever", 1)
    sandbox.set_flags("lever", job["job_id"], captcha=True)
    page.goto(job["url"] + "/apply")
    challenge = page.locator('iframe[src*="/_captcha/frame"]')
    expect(page.locator(".h-captcha[data-size=invisible]")).to_have_count(1)
    assert challenge.count() == 0  # nothing to solve before the click, as on Lever
    fill_lever(page, job, email, resume_pdf)
    page.locator('[data-qa="btn-submit"]').click()
    expect(challenge).to_be_visible()
    assert sandbox.submissions(site="lever", job=job["job_id"], email=email) == []

    frame = page.frame_locator('iframe[src*="/_captcha/frame"]')
    markup = frame.locator("body").inner_html()
    target = frame.locator(".captcha-header strong").inner_text()
    assert [s for s in SHAPES if s in markup] == [target]  # only the prompt names a shape; tiles are pixels
    assert 'alt=""' in markup and "data-answer" not in markup
    solve_captcha(sandbox, frame, wrong_first=True, stays=False)  # solving sends the form on
    expect(page.get_by_role("heading", name="Application submitted!")).to_be_visible()
    assert len(sandbox.submissions(site="lever", job=job["job_id"], email=email)) == 1


def test_a_forged_captcha_token_is_refused(sandbox: Sandbox, resume_pdf: Path, email: str) -> None:
    job = sandbox.job("lever", 12)  # the catalog's CAPTCHA job
    assert job["flags"]["captcha"] is True
    form = {"name": "Ada Example", "email": email, "phone": PHONE, "h-captcha-response": "not-a-real-token"}
    files = {"resume": ("cv.pdf", resume_pdf.read_bytes(), "application/pdf")}
    resp = sandbox.client.post(job["url"] + "/apply", data=form, files=files)
    assert resp.status_code == 400 and "Please complete the captcha." in resp.text


def test_person_fills_ashby_with_yes_no_buttons(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("ashby", 0)
    page.goto(job["url"])
    page.get_by_role("link", name="Apply for this Job").click()
    page.fill("#_systemfield_name", "Ada Example")
    page.fill("#_systemfield_email", email)
    expected: dict[str, Any] = {
        "_systemfield_name": "Ada Example",
        "_systemfield_email": email,
        "_systemfield_location": "Berlin, Berlin, Germany",
    }
    if "phone" in job["layout"]:
        page.fill("#_systemfield_phone", PHONE)
        expected["_systemfield_phone"] = PHONE
    pick(page, "_systemfield_location", "Berlin, Berlin, Germany", typed="Berl")
    attach(page, page.get_by_role("button", name="Upload File", exact=True), resume_pdf)
    for q in job["questions"]:
        value = answer_for(q)
        group = page.locator(f'[aria-labelledby="{q["id"]}-label"]')
        if q["kind"] == "yesno":
            group.get_by_role("button", name=str(value), exact=True).click()
            expect(group.get_by_role("button", name=str(value), exact=True)).to_have_attribute("aria-pressed", "true")
        elif q["kind"] in ("select", "multi"):
            for option in [value] if isinstance(value, str) else value:
                group.get_by_label(option, exact=True).check()
        else:
            by_id(page, q["id"]).fill(str(value))
        expected[q["id"]] = value
    page.get_by_role("button", name="Submit Application").click()
    expect(page.get_by_role("heading", name="Thank you for applying")).to_be_visible()
    [record] = sandbox.submissions(site="ashby", job=job["job_id"], email=email)
    assert record["fields"] == expected
    assert [f["field"] for f in record["files"]] == ["_systemfield_resume"]


def test_ashby_lists_missing_required_fields(sandbox: Sandbox, page: Page) -> None:
    job = sandbox.job("ashby", 1)
    page.goto(job["url"] + "/application")
    page.get_by_role("button", name="Submit Application").click()
    failure = page.locator(".ashby-application-form-failure")
    expect(failure).to_contain_text("Your form needs corrections")
    expect(failure).to_contain_text("Missing entry for required field: Resume")
