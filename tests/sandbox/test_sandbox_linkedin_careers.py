"""LinkedIn Easy Apply (sign in, modal steps, "Applied") and the hand-made careers page."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.sandbox.fill import answer_for, attach
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration
PASSWORD = "Sandbox-pass-1"


def sign_in_linkedin(sandbox: Sandbox, page: Page, job: dict[str, Any], email: str) -> None:
    sandbox.post("/_admin/accounts", {"site": "linkedin", "email": email, "password": PASSWORD, "name": "Ada Example"})
    page.goto(job["url"])
    expect(page).to_have_url(
        f"{sandbox.http}/linkedin/login?session_redirect=%2Flinkedin%2Fjobs%2Fview%2F{job['job_id']}%2F"
    )
    page.fill("#username", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(job["title"])


def answer_step(page: Page, questions: list[dict[str, Any]]) -> dict[str, Any]:
    sent = {}
    for q in questions:
        value = str(answer_for(q))
        label = page.get_by_label(q["label"]) if q["kind"] != "yesno" else None
        if q["kind"] == "yesno":
            page.get_by_role("group", name=q["label"]).get_by_label(value, exact=True).check()
        elif q["kind"] == "checkbox":
            page.get_by_label(q["label"]).check()
            value = "Yes"
        elif q["kind"] == "location":
            page.get_by_label(q["label"]).press_sequentially("Ghent", delay=20)  # a city from no list
            page.get_by_role("option", name="Ghent", exact=True).click()
            value = "Ghent"
        elif q["kind"] == "date":
            page.get_by_label(q["label"]).fill("01/15/2031")
            value = "01/15/2031"
        elif q["kind"] in ("text", "textarea"):
            page.get_by_label(q["label"]).fill(value)
        elif q["kind"] == "number" and label is not None:
            label.fill("four")
            page.get_by_role("button", name="Continue to next step").or_(
                page.get_by_role("button", name="Review your application")
            ).click()
            expect(page.get_by_text("Enter a whole number between 0 and 99")).to_be_visible()
            label.fill(value)
        elif label is not None:
            label.select_option(value)
        sent[q["id"]] = value
    return sent


QUESTION_HEADINGS = re.compile(r"^(Additional Questions|Work authorization)$")


def question_steps(page: Page, job: dict[str, Any]) -> dict[str, Any]:
    """Answer each question step until Review shows."""
    dialog = page.get_by_role("dialog")
    expected: dict[str, Any] = {}
    while (step := dialog.locator("form").get_attribute("data-step")) != "review":
        # Waits for the question step's heading (the step before may still be on its way out).
        expect(dialog.locator("h3.t-16").first).to_have_text(QUESTION_HEADINGS)
        step_questions = [q for q in job["questions"] if dialog.get_by_text(q["label"]).count()]
        expected |= answer_step(page, step_questions)
        dialog.get_by_role("button", name="Continue to next step").or_(
            dialog.get_by_role("button", name="Review your application")
        ).click()
        expect(dialog.locator("form")).not_to_have_attribute("data-step", str(step))
    return expected


def test_an_earlier_resume_goes_when_none_is_uploaded(sandbox: Sandbox, page: Page, email: str) -> None:
    job = sandbox.job("linkedin", 7)
    sign_in_linkedin(sandbox, page, job, email)
    page.locator("button.jobs-apply-button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email address").select_option(email.replace("@", ".work@"))  # the second address
    dialog.get_by_label("Phone country code").select_option("United States (+1)")
    dialog.get_by_label("Mobile phone number").fill("415 555 0100")
    dialog.get_by_role("button", name="Continue to next step").click()
    expect(dialog.get_by_text("Ada_Example_Resume_2026.pdf")).to_be_visible()
    dialog.get_by_role("button", name="Continue to next step").click()
    question_steps(page, job)
    dialog.get_by_role("button", name="Submit application").click()
    expect(dialog.get_by_text(f"Your application was sent to {job['company']}!")).to_be_visible()
    [record] = sandbox.submissions(site="linkedin", job=job["job_id"], email=email.replace("@", ".work@"))
    [resume] = record["files"]
    assert resume["filename"] == "Ada_Example_Resume_2026.pdf" and "resumeChoice" not in record["fields"]
    assert (sandbox.state_dir / "uploads" / resume["sha256"]).exists()


def test_daily_limit_and_jobs_that_apply_elsewhere(sandbox: Sandbox, page: Page, email: str) -> None:
    job = sandbox.job("linkedin", 6)
    sandbox.set_flags("linkedin", job["job_id"], daily_limit=True)
    sign_in_linkedin(sandbox, page, job, email)
    page.locator("button.jobs-apply-button").click()
    expect(page.get_by_role("dialog").get_by_role("alert")).to_contain_text(
        "reached the Easy Apply application limit for today"
    )
    expect(page.get_by_role("dialog").locator("form")).to_have_count(0)
    outside = next(j for j in sandbox.get("/_admin/jobs", site="linkedin")["jobs"] if j["traps"]["external_apply"])
    page.goto(outside["url"])
    button = page.locator("button.jobs-apply-button")
    expect(button).to_have_text("Apply")
    assert "Easy Apply" not in (button.get_attribute("aria-label") or "")
    with page.context.expect_page() as opened:
        button.click()
    opened.value.wait_for_load_state()
    assert "/careers/jobs/" in opened.value.url


def test_person_uses_easy_apply_and_sees_applied(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("linkedin", 0)
    sign_in_linkedin(sandbox, page, job, email)
    page.locator('button.jobs-apply-button[aria-label*="Easy Apply"]').click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Contact info")).to_be_visible()
    emails = dialog.get_by_label("Email address").locator("option")
    assert emails.all_inner_texts()[1:] == [email, email.replace("@", ".work@")]  # two addresses to choose from
    assert dialog.get_by_label("Phone country code").locator("option").nth(1).inner_text() == "United States (+1)"
    assert dialog.get_by_label("Phone country code").locator("option").count() > 240  # first, then every country
    assert dialog.locator("[name]").count() == 0  # no input has a name
    dialog.get_by_label("Email address").select_option(email)
    dialog.get_by_label("Phone country code").select_option("United Kingdom (+44)")
    dialog.get_by_label("Mobile phone number").fill("7700 900123")
    dialog.get_by_role("button", name="Continue to next step").click()
    cards = dialog.locator(".jobs-document-upload-redesign-card__container")
    expect(cards).to_have_count(2)  # earlier resumes, the latest selected
    expect(cards.first).to_have_class(re.compile("--selected"))
    attach(page, dialog.get_by_text("Upload resume"), resume_pdf)
    dialog.get_by_role("button", name="Continue to next step").click()
    expect(dialog.locator("form")).not_to_have_attribute("data-step", "resume")
    ids = job["ids"]
    expected: dict[str, Any] = {
        ids["email"]: email,
        ids["phone_country"]: "United Kingdom (+44)",
        ids["phone"]: "7700 900123",
        "followCompany": "true",
    }
    expected |= question_steps(page, job)
    dialog.get_by_role("button", name="Submit application").click()
    expect(dialog.get_by_text(f"Your application was sent to {job['company']}!")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator(".jobs-apply-button--top-card")).to_contain_text("Applied")
    expect(page.locator("button.jobs-apply-button")).to_have_count(0)

    [record] = sandbox.submissions(site="linkedin", job=job["job_id"], email=email)
    assert record["fields"] == expected
    assert record["files"][0]["field"] == "resume"
    assert sandbox.mail(email, f"Your application was sent to {job['company']}")["from"].endswith(
        "<jobs-noreply@linkedin.com>"
    )


def fill_careers(page: Page, job: dict[str, Any], email: str, resume: Path) -> dict[str, Any]:
    first, last = ("first_name", "surname") if "first_name" in page.content() else ("given_name", "family_name")
    page.get_by_label("First name *").fill("Ada")
    page.get_by_label("Surname *").fill("Example")
    page.get_by_label("Your email address *").fill(email)
    page.get_by_placeholder("Phone number (with country code)").fill("+44 7700 900123")  # picks the country
    expect(page.locator(".iti__selected-country")).to_have_attribute("title", "United Kingdom")
    # The level widget's radios live in a shadow root: the document does not list them, a person sees them.
    assert page.evaluate("document.querySelectorAll('input[value=Fluent]').length") == 0
    page.get_by_role("radiogroup", name="Your level of English").get_by_label("Fluent").check()
    page.get_by_label("Earliest start date *").fill("2030-02-01")
    page.get_by_role("group", name="Preferred way of working").get_by_label("Hybrid").check()
    page.get_by_label("Cover note").fill("I would enjoy this role.")
    expected: dict[str, Any] = {
        first: "Ada",
        last: "Example",
        "contact_email": email,
        "tel": "+44 7700 900123",
        "tel_country": "United Kingdom",
        "english_level": "Fluent",
        "start_date": "2030-02-01",
        "work_pattern": "Hybrid",
        "cover_note": "I would enjoy this role.",
        "consent": "yes",
    }
    for q in job["questions"]:
        value = str(answer_for(q))
        if q["kind"] == "yesno":
            page.get_by_role("group", name=q["label"] + (" *" if q["required"] else "")).get_by_label(value).check()
        elif q["kind"] == "select":
            page.get_by_label(q["label"]).select_option(value)
        else:
            page.get_by_label(q["label"]).fill(value)
        expected[q["id"]] = value
    attach(page, page.get_by_label("Upload your CV (PDF or Word) *"), resume)
    page.get_by_label("I agree to the privacy notice *").check()
    return expected


def test_generic_careers_form(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("careers", 0)
    page.goto(job["url"])
    expect(page.locator("#cookie-consent")).to_be_visible()
    with pytest.raises(PlaywrightTimeout):  # the banner lies over the form and takes the click
        page.get_by_role("button", name="Continue").click(timeout=1500)
    page.get_by_role("button", name="Accept all").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#cookie-consent")).to_have_count(0)  # answered once, gone on the next page
    expected = fill_careers(page, job, email, resume_pdf)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    page.get_by_role("group", name="Are you at least 18 years old? *").get_by_label("Yes").check()
    page.get_by_label("Expected salary").fill("65000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Per", exact=True).select_option("per year")
    expected |= {"adult": "Yes", "salary_amount": "65000", "salary_currency": "EUR", "salary_period": "per year"}
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name="Application received")).to_be_visible()
    [record] = sandbox.submissions(site="careers", job=job["job_id"], email=email)
    assert record["fields"] == expected
    assert page.locator(".reference").inner_text() == record["confirmation_id"]


def careers_step_one(sandbox: Sandbox, job: dict[str, Any], email: str, resume: Path, **extra: str) -> Any:
    """Post step 1 as the page would, with the session's CSRF token unless told otherwise."""
    html = sandbox.client.get(job["url"]).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    first, last = ("first_name", "surname") if 'name="first_name"' in html else ("given_name", "family_name")
    form = {
        "csrf_token": token.group(1),
        first: "Ada",
        last: "Example",
        "contact_email": email,
        "tel": "+44 7700 900123",
        "english_level": "Fluent",
        "start_date": "2030-02-01",
        "consent": "yes",
    } | {q["id"]: str(answer_for(q)) for q in job["questions"] if q["required"]}
    files = {"cv": (resume.name, resume.read_bytes(), "application/pdf")}
    return sandbox.client.post(job["url"], data=form | extra, files=files)


def test_careers_csrf_honeypot_and_knock_out(sandbox: Sandbox, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("careers", 1)
    stale = careers_step_one(sandbox, job, email, resume_pdf, csrf_token="stale")
    assert stale.status_code == 403 and "Your session has expired" in stale.text
    trapped = careers_step_one(sandbox, job, email, resume_pdf, website="https://ada.example.org")
    assert trapped.status_code == 303 and "/thanks?ref=" in trapped.headers["location"]  # looks accepted
    step_one = careers_step_one(sandbox, job, email, resume_pdf)
    assert step_one.status_code == 303 and step_one.headers["location"].endswith("/more")
    more = sandbox.client.get(job["url"] + "/more").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', more)
    assert token and "Step 2 of 2" in more
    knocked = sandbox.client.post(job["url"] + "/more", data={"csrf_token": token.group(1), "adult": "No"})
    assert knocked.status_code == 200 and "do not meet the minimum requirements" in knocked.text
    assert sandbox.submissions(site="careers", job=job["job_id"], email=email) == []  # neither was kept
