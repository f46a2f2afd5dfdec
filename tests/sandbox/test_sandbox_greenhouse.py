"""Greenhouse replica: a person-like fill, the security code read from the mailbox, server-side errors."""

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import FIRST, fill_greenhouse_basics, fill_greenhouse_questions, pick, solve_captcha
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration


def test_person_fills_greenhouse_and_the_record_matches(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = sandbox.job("greenhouse", 0)
    page.goto(job["url"])
    expect(page.locator("h1")).to_have_text(job["title"])
    options_before = page.get_by_role("option").count()
    expected = fill_greenhouse_basics(page, email, resume_pdf) | fill_greenhouse_questions(page, job["questions"])
    if "preferred_name" in page.content():
        page.fill("#preferred_name", "Ada")
        expected["preferred_name"] = "Ada"
    if "education" in job["layout"]:
        pick(page, "school--0", "Northfield Institute of Technology", typed="North")
        page.get_by_role("button", name="Add another").click()
        pick(page, "degree--1", "Master's Degree")
        expected |= {"school--0": "Northfield Institute of Technology", "degree--1": "Master's Degree"}
    gender = job["ids"]["eeo_gender"]
    pick(page, gender, "Woman")
    pick(page, gender, "Non-binary")
    expected[gender] = ["Woman", "Non-binary"]
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Thank you for applying.")).to_be_visible()

    assert options_before == 0  # options are only in the DOM while a combobox is open
    [record] = sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)
    assert record["fields"] == expected
    [resume] = record["files"]
    assert resume["field"] == "resume" and resume["filename"] == resume_pdf.name
    assert resume["sha256"] == hashlib.sha256(resume_pdf.read_bytes()).hexdigest()
    mail = sandbox.mail(email, "Thank you for applying")
    assert mail["from"].endswith("<no-reply@us.greenhouse-mail.io>")


def test_security_code_from_the_mailbox(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("greenhouse", 1)
    sandbox.set_flags("greenhouse", job["job_id"], email_verify=True)
    page.goto(job["url"])
    fill_greenhouse_basics(page, email, resume_pdf)
    fill_greenhouse_questions(page, [q for q in job["questions"] if q["required"]])
    assert job["traps"]["eeoc"] is True
    pick(page, "hispanic_ethnicity", "No")  # the classic EEOC block, on this job besides the six questions
    assert page.locator(".security-input").count() == 0  # the boxes exist only once the step is due
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#security-input-0")).to_be_visible()
    submit = page.get_by_role("button", name="Submit application")
    expect(submit).to_be_disabled()
    mail = sandbox.mail(email, f"Security code for your application to {job['company']}")
    code = re.search(r"application: ([A-Z0-9]{8})", mail["text"])
    assert code and "resubmit your application" in mail["text"]
    for n, char in enumerate(code.group(1)):
        page.fill(f"#security-input-{n}", char)
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.get_by_role("heading", name="Thank you for applying.")).to_be_visible()
    [record] = sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)
    assert record["fields"]["security_code"] == code.group(1)
    assert record["fields"]["hispanic_ethnicity"] == "No"


def test_server_rejects_a_bad_phone_inline_and_wants_the_captcha(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = sandbox.job("greenhouse", 2)
    page.goto(job["url"] + "?phone_format=e164&captcha=1")
    fill_greenhouse_basics(page, email, resume_pdf)
    fill_greenhouse_questions(page, [q for q in job["questions"] if q["required"]])
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#phone-error")).to_have_text("Please enter a valid phone number.")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#captcha-error")).to_have_text("Please verify that you are not a robot.")
    page.fill("#phone", "+442079460000")
    solve_captcha(sandbox, page.frame_locator('iframe[src*="/_captcha/frame"]'), wrong_first=False)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Thank you for applying.")).to_be_visible()
    [record] = sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)
    assert record["fields"]["phone"] == "+442079460000"
    assert "g-recaptcha-response" not in record["fields"]


def test_missing_required_fields_get_errors_and_no_record(sandbox: Sandbox, page: Page, email: str) -> None:
    job = sandbox.job("greenhouse", 3)
    page.goto(job["url"])
    page.fill("#first_name", FIRST)
    page.fill("#email", email)
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#last_name-error")).to_have_text("This field is required.")
    expect(page.locator("#resume-error")).to_have_text("Resume/CV is required.")
    assert sandbox.submissions(site="greenhouse", job=job["job_id"], email=email) == []


def test_the_six_demographic_questions_and_gdpr_consent(sandbox: Sandbox, page: Page, email: str) -> None:
    job = next(j for j in sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:12] if j["traps"]["gdpr"])
    page.goto(job["url"])
    section = page.locator("#demographic-section")
    for label in ("gender identity", "racial/ethnic", "sexual orientation", "transgender", "disability", "veteran"):
        expect(section.get_by_text(label)).to_be_visible()
    assert page.locator("#eeoc_fields").count() == int(job["traps"]["eeoc"])
    page.fill("#first_name", FIRST)
    page.fill("#email", email)
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#gdpr_processing_consent_given-error")).to_have_text("Please provide consent to continue.")
    assert sandbox.submissions(site="greenhouse", job=job["job_id"], email=email) == []


def test_some_jobs_live_in_an_iframe_on_the_company_page(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = next(j for j in sandbox.get("/_admin/jobs", site="greenhouse")["jobs"] if j["traps"]["embedded"])
    page.goto(job["url"])
    assert f"gh_jid={job['job_id']}" in page.url and "/careers" in page.url
    expect(page.locator("h1")).to_have_text(job["title"])
    assert page.locator("#first_name").count() == 0  # the form is not on the company's page itself
    frame = page.wait_for_selector("#grnhse_iframe").content_frame()
    assert frame is not None
    expected = fill_greenhouse_basics(frame, email, resume_pdf)
    expected |= fill_greenhouse_questions(frame, [q for q in job["questions"] if q["required"]])
    frame.get_by_role("button", name="Submit application").click()
    expect(frame.get_by_role("heading", name="Thank you for applying.")).to_be_visible()
    [record] = sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)
    assert record["fields"] == expected


def test_phone_picker_lists_every_country_and_reformats_the_number(sandbox: Sandbox, page: Page) -> None:
    page.goto(sandbox.job("greenhouse", 3)["url"])
    page.locator("#country").click()
    assert page.get_by_role("option").count() >= 240
    page.keyboard.press("Escape")
    pick(page, "country", "United States +1", typed="United States")
    page.fill("#phone", "415 555 0100")
    page.locator("#email").click()
    expect(page.locator("#phone")).to_have_value("+1 (415) 555-0100")
