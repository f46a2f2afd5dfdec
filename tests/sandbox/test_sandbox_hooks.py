"""Hooks for crash and mail tests: a held submit waits until released; a job can lose its mail."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import fill_greenhouse_basics, fill_greenhouse_questions
from tests.sandbox.harness import Sandbox
from tests.verifier.sites import greenhouse_form, post_greenhouse

pytestmark = pytest.mark.integration


def waiting(sandbox: Sandbox, site: str, job_id: str) -> int:
    holds = sandbox.get("/_admin/holds")["holds"]
    return sum(h["waiting"] for h in holds if (h["site"], h["job_id"]) == (site, job_id))


def test_a_held_submit_is_recorded_only_once_released(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = sandbox.job("greenhouse", 6)
    sandbox.post(f"/_admin/holds/greenhouse/{job['job_id']}", {})
    page.goto(job["url"])
    fill_greenhouse_basics(page, email, resume_pdf)
    fill_greenhouse_questions(page, [q for q in job["questions"] if q["required"]])
    page.get_by_role("button", name="Submit application").click()
    deadline = time.monotonic() + 10
    while waiting(sandbox, "greenhouse", job["job_id"]) != 1:
        assert time.monotonic() < deadline, sandbox.get("/_admin/holds")
        time.sleep(0.05)
    time.sleep(0.3)  # held, not merely slow
    assert sandbox.submissions(site="greenhouse", job=job["job_id"], email=email) == []
    sandbox.client.delete(f"/_admin/holds/greenhouse/{job['job_id']}").raise_for_status()
    expect(page.get_by_text("Thank you for applying")).to_be_visible()
    assert len(sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)) == 1
    (hold,) = [h for h in sandbox.get("/_admin/holds")["holds"] if h["job_id"] == job["job_id"]]
    assert hold == {"site": "greenhouse", "job_id": job["job_id"], "held": False, "waiting": 0, "arrived": 1}
    assert sandbox.client.post("/_admin/holds/greenhouse/0000").status_code == 404


def test_a_job_that_loses_its_mail_sends_the_code_nowhere(sandbox: Sandbox, email: str) -> None:
    job = sandbox.job("greenhouse", 11)  # asks for the emailed security code
    sandbox.set_flags("greenhouse", job["job_id"], lose_mail=True)
    try:
        assert post_greenhouse(sandbox, job, greenhouse_form(sandbox, job, email)).status_code == 428
        time.sleep(0.3)
        assert sandbox.get("/_admin/mailbox", to=email)["messages"] == []
    finally:
        sandbox.clear_flags("greenhouse", job["job_id"])
    assert post_greenhouse(sandbox, job, greenhouse_form(sandbox, job, email)).status_code == 428
    assert "Security code" in sandbox.mail(email, "Security code")["subject"]
