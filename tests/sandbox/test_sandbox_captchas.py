"""CAPTCHAs as the real sites carry them: invisible ones that never stop a person, and where they escalate."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration


def greenhouse_form(job: dict[str, Any], email: str) -> dict[str, Any]:
    """Every required Greenhouse field, as the page script would post it, but without running the script."""
    form: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Example",
        "email": email,
        "phone": "+44 20 7946 0000",
        "country": "United Kingdom +44",
        "candidate-location": "London, England, United Kingdom",
    }
    for q in job["questions"]:
        if q["required"]:
            form[q["id"]] = q["options"][0] if q["options"] else "An answer"
    if job["traps"]["gdpr"]:
        form["gdpr_processing_consent_given"] = "true"
    return form


@pytest.mark.parametrize(
    ("site", "script"), [("greenhouse", "/recaptcha/enterprise.js"), ("ashby", "/recaptcha/api.js")]
)
def test_every_greenhouse_and_ashby_page_carries_invisible_recaptcha(
    sandbox: Sandbox, page: Page, site: str, script: str
) -> None:
    for index in (0, 5, 9):
        job = sandbox.job(site, index)
        assert job["traps"]["invisible_captcha"].startswith("recaptcha")
        html = sandbox.client.get(job["url"] + ("/application" if site == "ashby" else "")).text
        assert f'<script src="{script}?render=' in html
        assert 'name="g-recaptcha-response"' in html and "size=invisible" in html
    page.goto(job["url"])
    badge = page.locator(".grecaptcha-badge")
    expect(badge.locator('iframe[title="reCAPTCHA"]')).to_be_attached()
    expect(badge).to_be_hidden()
    assert "recaptcha" in page.content()  # a detector keyed on the word would park this page
    assert page.locator('iframe[src*="/_captcha/frame"]').count() == 0  # and yet there is nothing to solve


def test_lever_carries_invisible_hcaptcha_on_most_postings(sandbox: Sandbox) -> None:
    jobs = sandbox.get("/_admin/jobs", site="lever")["jobs"]
    with_it = [j for j in jobs if j["traps"]["invisible_captcha"] == "hcaptcha"]
    assert len(jobs) // 2 < len(with_it) < len(jobs)
    for job in jobs[:3]:
        html = sandbox.client.get(job["url"] + "/apply").text
        carried = 'class="h-captcha"' in html and 'name="h-captcha-response"' in html and "/hcaptcha/1/api.js" in html
        assert carried == (job in with_it)
        assert "/_captcha/frame" not in html  # the challenge only ever opens after the submit click


def test_greenhouse_submit_without_the_page_script_scores_low_and_gets_the_security_code(
    sandbox: Sandbox, resume_pdf: Path, email: str
) -> None:
    job = sandbox.job("greenhouse", 6)
    files = {"resume": (resume_pdf.name, resume_pdf.read_bytes(), "application/pdf")}
    resp = sandbox.client.post(job["url"], data=greenhouse_form(job, email), files=files)
    assert resp.status_code == 428 and resp.json()["security_code_required"] is True
    assert sandbox.mail(email, "Security code for your application")
    assert sandbox.submissions(site="greenhouse", job=job["job_id"], email=email) == []


def test_invisible_tokens_do_not_pass_a_visible_challenge(sandbox: Sandbox, resume_pdf: Path, email: str) -> None:
    job = sandbox.job("greenhouse", 12)  # the catalog's CAPTCHA job
    token = sandbox.client.post("/recaptcha/enterprise/reload", json={"action": "apply_to_job"}).json()["token"]
    form = greenhouse_form(job, email) | {"g-recaptcha-enterprise-token": token, "g-recaptcha-response": token}
    files = {"resume": (resume_pdf.name, resume_pdf.read_bytes(), "application/pdf")}
    resp = sandbox.client.post(job["url"], data=form, files=files)
    assert resp.status_code == 422 and "captcha" in resp.json()["errors"]
