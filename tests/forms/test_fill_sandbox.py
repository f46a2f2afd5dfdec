"""The engine fills each sandbox platform end to end in real Chromium, without the services.

The sandbox records what arrived: it must be exactly what the profile says, the resume byte for byte,
and nothing for the questions the profile does not answer.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from autoapply.profile_file import parse
from contracts.profile import BankAnswer, Profile
from forms.fill import FormReport, fill_form, submit
from forms.submit import SubmitReport
from forms.text import DECLINE
from tests.sandbox.harness import Sandbox, make_pdf

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

LINKEDIN = "https://www.linkedin.com/in/ada-example"
PROFILE = """
first_name: Ada
last_name: Example
email: {email}
phone: "+1 206 555 0100"
phone_country: US
phone_type: Mobile
location: Seattle, Washington, United States
address:
  line1: 100 Example Street
  city: Seattle
  region: Washington
  postal_code: "98101"
  country: United States
linkedin_url: {linkedin}
github_url: https://github.com/ada-example
portfolio_url: https://ada.example.org
current_company: Example Corp
current_title: Technical Writer
years_of_experience: 6
resume: {resume}
answers:
  "Have you previously worked for this company?": "No"
  "Are you at least 18 years of age?": "Yes"
  "Are you legally authorized to work in the country where this job is?": "Yes"
  "Will you now or in the future require sponsorship for employment visa status?": "No"
  "How did you hear about this job?": "Company website"
  "Can you work from our office three days a week?": "Yes"
  "How many years of work experience do you have with Terraform?": "3"
  "Your level of English": "Fluent"
preferences:
  relocation: false
  privacy_consent: true
  earliest_start: "2027-01-04"
  notice_period: 2 weeks
work_history:
  - company: Example Corp
    title: Technical Writer
    location: Tacoma, Washington
    start: "2019-03"
    current: true
  - company: Contoso
    title: Editor
    start: "2015-06"
    end: "2019-02"
"""
# Where a platform asks for work history, each job arrives in its own row with its months; the job
# still held has no end, and nothing the profile does not say (a description) arrives.
DATE = "workExperience-{}--{}Date-dateSection{}-input"
WORK_ROWS = {
    "workday": {
        "workExperience-1--jobTitle": "Technical Writer",
        "workExperience-1--companyName": "Example Corp",
        "workExperience-1--location": "Tacoma, Washington",  # the job's own place, not the user's
        "workExperience-1--currentlyWorkHere": "Yes",
        DATE.format(1, "start", "Month"): "03",
        DATE.format(1, "start", "Year"): "2019",
        "workExperience-2--jobTitle": "Editor",
        "workExperience-2--companyName": "Contoso",
        DATE.format(2, "start", "Month"): "06",
        DATE.format(2, "start", "Year"): "2015",
        DATE.format(2, "end", "Month"): "02",
        DATE.format(2, "end", "Year"): "2019",
    },
    # the careers page's most recent job, its months through pop-up month pickers
    "careers": {
        "recent_title": "Technical Writer",
        "recent_employer": "Example Corp",
        "recent_from": "03/2019",
        "recent_current": "yes",
    },
}
ROW_PREFIX = {"workday": "workExperience-", "careers": "recent_"}
# The answer each question of the sandbox must arrive with; a key not here must not arrive at all.
ANSWERS = {
    "work_auth": "Yes",
    "sponsorship": "No",
    "hear_about": "Company website",
    "onsite": "Yes",
    "relocate": "No",
    "experience": "5-7 years",
    "linkedin": LINKEDIN,
    "website": "https://ada.example.org",
    "notice": "2 weeks",
    "current_title": "Technical Writer",
    "over18": "Yes",
}
START = {"lever": "/apply", "ashby": "/application"}
PASSWORD = "Sandbox!Pass1"


def profile_for(resume: Path, email: str, job: dict[str, Any] | None = None) -> Profile:
    """The candidate; for `job`, they have also answered its question about years with one skill."""
    profile = parse(PROFILE.format(email=email, linkedin=LINKEDIN, resume=resume), "test profile")
    years = {q["label"]: BankAnswer(answer="3") for q in (job or {}).get("questions", []) if q["key"] == "years_skill"}
    return profile.model_copy(update={"answers": {**profile.answers, **years}})


def answerable(job: dict[str, Any]) -> bool:
    """Every required question is one the test profile answers (the others are tested apart)."""

    def known(q: dict[str, Any]) -> bool:
        return q["key"] in ANSWERS or q["key"] == "years_skill"

    return all(known(q) for q in job["questions"] if q["required"])


def pick(sandbox: Sandbox, site: str, asking: str = "") -> dict[str, Any]:
    """A job whose required questions the profile answers, or that requires `asking`."""
    jobs = sandbox.get("/_admin/jobs", site=site)["jobs"][:11]  # 11+ are the CAPTCHA, closed, code presets
    if asking:
        return next(j for j in jobs if any(q["key"] == asking and q["required"] for q in j["questions"]))
    return next(j for j in jobs if answerable(j))


async def apply(
    browser: Browser, url: str, profile: Profile, sign_in: SignIn | None = None, *, correct: bool = False
) -> tuple[FormReport, SubmitReport | None, Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(8000)
    await page.goto(url)
    if sign_in is not None:
        await sign_in(page)
    report = await fill_form(page, profile)
    sent = await submit(page, report, correct=correct) if report.status == "ready" else None
    return report, sent, page


SignIn = Callable[[Page], Awaitable[None]]


def sign_in_for(sandbox: Sandbox, site: str, job: dict[str, Any], email: str) -> SignIn | None:
    """The person signs in (login walls are theirs or the provisioner's); the engine fills what follows."""
    if site == "linkedin":
        sandbox.post("/_admin/accounts", {"site": "linkedin", "email": email, "password": PASSWORD, "name": "Ada"})
    elif site == "workday":
        account = {"site": f"workday:{job['org']}", "email": email, "password": PASSWORD, "verified": True}
        sandbox.post("/_admin/accounts", account)
    else:
        return None

    async def linkedin(page: Page) -> None:
        await page.fill("#username", email)
        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.locator("button.jobs-apply-button").wait_for()

    async def workday(page: Page) -> None:
        for step in ("adventureButton", "applyManually", "signInLink"):
            await page.locator(f"[data-automation-id={step}]").click()
        await page.locator("[data-automation-id=email]").fill(email)
        await page.locator("[data-automation-id=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Sign In").click()
        await page.locator("[data-automation-id=pageHeader]").wait_for()

    return linkedin if site == "linkedin" else workday


def expected_answers(job: dict[str, Any]) -> dict[str, str]:
    out = {}
    for q in job["questions"]:
        if q["key"] in ANSWERS:
            out[q["id"]] = ANSWERS[q["key"]]
        elif q["key"] == "years_skill":
            out[q["id"]] = "3"
    return out


STANDARD = {
    "greenhouse": {
        "first_name": "Ada",
        "last_name": "Example",
        "phone": "206 555 0100",
        "country": "United States +1",
        "candidate-location": "Seattle, Washington, United States",
    },
    "lever": {
        "name": "Ada Example",
        "phone": "+1 206 555 0100",
        "location": "Seattle, Washington, United States",
        "org": "Example Corp",
        "urls[LinkedIn]": LINKEDIN,
        "urls[GitHub]": "https://github.com/ada-example",
    },
    "ashby": {"_systemfield_name": "Ada Example", "_systemfield_location": "Seattle, Washington, United States"},
    "careers": {"tel": "+1 206 555 0100", "start_date": "2027-01-04", "consent": "yes", "english_level": "Fluent"},
    "linkedin": {},
    "workday": {
        "legalNameSection_firstName": "Ada",
        "legalNameSection_lastName": "Example",
        "addressSection_addressLine1": "100 Example Street",
        "addressSection_city": "Seattle",
        "addressSection_countryRegion": "Washington",
        "addressSection_postalCode": "98101",
        "phone-device-type": "Mobile",
        "phone-number": "+1 206 555 0100",
        "sourceDropdown": "Company Website",  # the option that means the answer, in its words
        "candidateIsPreviousWorker": "No",
        "linkedinQuestion": LINKEDIN,
        "name": "Ada Example",
    },
}
EMAIL_FIELD = {"greenhouse": "email", "lever": "email", "ashby": "_systemfield_email", "careers": "contact_email"}


def same_value(name: str, got: str, want: str) -> bool:
    """Phones compare by their digits: pages reformat them as they are typed ("+1 (206) 555-0100")."""
    if "phone" in name or name == "tel":
        return re.sub(r"\D", "", got).endswith(re.sub(r"\D", "", want))
    return got == want


SITES = ("greenhouse", "lever", "ashby", "careers", "linkedin", "workday")


@pytest.mark.parametrize("site", SITES)
async def test_fills_and_submits_exactly_the_profile(
    site: str, sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    job = pick(sandbox, site)
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    url = job["url"] + START.get(site, "")
    report, sent, page = await apply(
        browser, url, profile_for(resume_pdf, email, job), sign_in_for(sandbox, site, job, email)
    )
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "submitted", sent
    [record] = sandbox.submissions(site=site, email=email)
    fields = record["fields"]
    if site in EMAIL_FIELD:
        assert fields[EMAIL_FIELD[site]] == email
    for name, value in STANDARD[site].items():
        if site != "ashby" or name in fields:  # Ashby leaves the phone out on some jobs
            assert same_value(name, fields[name], value), name
    for qid, value in expected_answers(job).items():
        assert fields.get(qid) == value, qid
    for q in job["questions"]:
        if q["id"] not in expected_answers(job):
            assert q["id"] not in fields, f"{q['key']} was answered without an answer in the profile"
    if site in WORK_ROWS:
        assert {k: v for k, v in fields.items() if k.startswith(ROW_PREFIX[site])} == WORK_ROWS[site]
    for eeo_id in (v for k, v in job.get("ids", {}).items() if k.startswith("eeo_")):
        assert DECLINE.search(str(fields.get(eeo_id, "decline")))
    [file] = record["files"]
    assert file["filename"] == resume_pdf.name
    assert file["sha256"] == hashlib.sha256(resume_pdf.read_bytes()).hexdigest()


async def test_a_place_the_resume_parser_typed_is_still_chosen_from_the_suggestions(
    sandbox: Sandbox, browser: Browser, tmp_path: Path
) -> None:
    """Lever's parser types the resume's place into the location typeahead without choosing it; a
    resume that names the profile's own place left that text looking right, and the site refused
    the form after the click ("Please select a location from the dropdown")."""
    job = pick(sandbox, "lever")
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    resume = tmp_path / "Ada_Example_Resume.pdf"
    resume.write_bytes(make_pdf("Ada Example - Resume", "Seattle, Washington, United States", email))
    report, sent, page = await apply(browser, job["url"] + START["lever"], profile_for(resume, email, job))
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "submitted", sent
    [record] = sandbox.submissions(site="lever", email=email)
    assert record["fields"]["location"] == "Seattle, Washington, United States"
    assert json.loads(record["fields"]["selectedLocation"])["name"] == "Seattle, Washington, United States"


async def test_an_unanswerable_required_question_is_never_submitted(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    job = pick(sandbox, "greenhouse", asking="onsite")
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    full = profile_for(resume_pdf, email)
    silent = full.model_copy(update={"answers": {q: a for q, a in full.answers.items() if "office" not in q}})
    report, sent, page = await apply(browser, job["url"], silent)
    await page.context.close()
    assert report.status == "needs_answers" and sent is None
    [onsite] = [q for q in job["questions"] if q["key"] == "onsite"]
    assert onsite["label"] in report.detail
    [unresolved] = [(r, res) for r, res in report.steps[-1].unresolved if r.label == onsite["label"]]
    assert unresolved[0].required and unresolved[1].reason
    assert sandbox.submissions(site="greenhouse", email=email) == []


async def test_a_form_embedded_in_the_company_page_is_filled_in_its_frame(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    jobs = sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:11]
    job = next(j for j in jobs if j.get("traps", {}).get("embedded") and answerable(j))
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    report, sent, page = await apply(browser, job["url"], profile_for(resume_pdf, email))
    framed = any(f.record.frame > 0 for s in report.steps for f in s.filled)
    await page.context.close()
    assert report.status == "ready", report.detail
    assert framed, "the form was expected inside the company page's iframe"
    assert sent is not None and sent.status == "submitted", sent
    [record] = sandbox.submissions(site="greenhouse", email=email)
    assert record["fields"]["first_name"] == "Ada" and record["fields"]["email"] == email


@pytest.mark.parametrize("site", ["greenhouse", "careers"])
async def test_a_refused_phone_is_written_again_as_the_page_asks(
    site: str, sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    """The page wants E.164 (+12065550100): greenhouse says so after Submit, careers after Continue."""
    job = pick(sandbox, site)
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    url = job["url"] + "?phone_format=e164"
    report, sent, page = await apply(browser, url, profile_for(resume_pdf, email, job), correct=True)
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "submitted", sent
    fixed = [c for c in report.corrections + sent.corrections if c.corrected]
    assert [c.after for c in fixed] == ["+12065550100"], fixed
    [record] = sandbox.submissions(site=site, email=email)
    assert record["fields"][STANDARD_PHONE[site]] == "+12065550100"
    assert record["files"][0]["filename"] == resume_pdf.name  # a page drawn anew got its file again


STANDARD_PHONE = {"greenhouse": "phone", "careers": "tel"}


EDUCATION = """
education:
  - {school: University of Washington, degree: "Bachelor's Degree", field_of_study: Computer Science}
  - {school: Stanford University, degree: "Master's Degree", field_of_study: Computer Engineering}
"""


async def test_each_education_entry_gets_its_own_row_and_no_more(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    jobs = sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:11]
    job = next(j for j in jobs if "education" in j.get("layout", ()) and answerable(j))
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    raw = PROFILE.format(email=email, linkedin=LINKEDIN, resume=resume_pdf) + EDUCATION
    report, sent, page = await apply(browser, job["url"], parse(raw, "test profile"))
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "submitted", sent
    [record] = sandbox.submissions(site="greenhouse", email=email)
    fields = record["fields"]
    # a school is the typeahead's suggestion that means it, written as the site writes it
    assert (fields["school--0"].casefold(), fields["degree--0"]) == ("university of washington", "Bachelor's Degree")
    assert (fields["school--1"].casefold(), fields["discipline--1"]) == ("stanford university", "Computer Engineering")
    assert not any(name.endswith("--2") for name in fields)
