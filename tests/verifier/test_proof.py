"""Proof of a submission from the page and the mail (pure: no servers)."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.applications import ApplicationSubmitted
from services.verifier.mail.message import from_raw
from services.verifier.proof import Verdict, from_mail, from_page, second_look
from tests.verifier import mails

pytestmark = pytest.mark.unit


def submitted(**extra: Any) -> ApplicationSubmitted:
    fields: dict[str, Any] = {
        "task_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "attempt_id": "attempt-1",
        "page_url": "https://job-boards.greenhouse.io/northwind/jobs/7124427007",
        "receipt_uri": "u/receipts/1.json",
        "company": mails.COMPANY,
    }
    return ApplicationSubmitted(**(fields | extra))


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for applying. Your application has been received.",
        "Application submitted! Thanks for applying to Northwind Robotics.",
        "Your application was sent to Northwind Robotics!",
        "Application received. Thank you for applying for Robotics Engineer.",
        "successfully submitted",
        "Your application to Northwind Robotics was successfully submitted.",
    ],
)
def test_confirmation_pages_complete(text: str) -> None:
    proof = from_page(submitted(confirmation_text=text))
    assert proof.verdict is Verdict.COMPLETED and proof.evidence == ("confirmation_page",)


def test_confirmation_id_from_the_url_or_the_text() -> None:
    by_url = from_page(submitted(page_url="https://acme.example.com/careers/jobs/x/thanks?ref=CR-4F2A9C1B0D4E"))
    by_text = from_page(submitted(confirmation_text="Application received. Reference number: R-20391"))
    assert by_url.verdict is Verdict.COMPLETED and by_url.confirmation_id == "CR-4F2A9C1B0D4E"
    assert by_url.evidence == ("confirmation_url",)
    assert by_text.confirmation_id == "R-20391"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("This job is no longer accepting applications.", "job_closed"),
        ("There is a problem: Email is required", "submission_error"),
        ("You have already applied for this position.", "already_applied"),
    ],
)
def test_refusals_fail_with_their_reason(text: str, reason: str) -> None:
    proof = from_page(submitted(confirmation_text=text))
    assert proof.verdict is Verdict.FAILED and proof.reason == reason


def test_already_applied_after_a_crash_is_proof() -> None:
    proof = from_page(submitted(confirmation_text="You have already applied for this position.", recovered=True))
    assert proof.verdict is Verdict.COMPLETED and proof.evidence == ("already_applied_marker",)


def test_a_page_that_says_nothing_is_unknown() -> None:
    assert from_page(submitted(confirmation_text="Northwind Robotics - Careers")).verdict is Verdict.UNKNOWN
    assert from_page(submitted()).verdict is Verdict.UNKNOWN
    denied = submitted(confirmation_text="Your application was not successfully submitted")
    assert from_page(denied).verdict is not Verdict.COMPLETED
    assert second_look("Robotics Engineer  Apply").verdict is Verdict.UNKNOWN
    assert second_look("Robotics Engineer\nApplied\nSee application").verdict is Verdict.COMPLETED


def test_the_confirmation_mail_must_name_the_company() -> None:
    now = datetime.now(UTC)
    ours = from_raw(
        "1",
        mails.mail(
            (mails.COMPANY, mails.GREENHOUSE),
            mails.CANDIDATE,
            f"Thank you for applying to {mails.COMPANY}",
            "We received it.",
        ),
        now,
    )
    other = from_raw(
        "2",
        mails.mail(
            ("Contoso", mails.GREENHOUSE), mails.CANDIDATE, "Thank you for applying to Contoso", "We received it."
        ),
        now,
    )
    alert = from_raw("3", mails.job_alert(), now)
    assert from_mail([other, alert], mails.COMPANY).verdict is Verdict.UNKNOWN
    found = from_mail([other, alert, ours], mails.COMPANY)
    assert found.verdict is Verdict.COMPLETED and found.evidence == ("confirmation_email",)


def test_a_confirmation_naming_the_job_title_is_preferred() -> None:
    now = datetime.now(UTC)
    sender = (mails.COMPANY, "northwind@myworkday.com")
    other_job = from_raw(
        "a",
        mails.mail(
            sender,
            mails.CANDIDATE,
            f"Thank you for applying to QA Lead at {mails.COMPANY}",
            "We received your application for QA Lead.",
        ),
        now,
    )
    this_job = from_raw(
        "b",
        mails.mail(
            sender,
            mails.CANDIDATE,
            f"Thank you for applying to Data Analyst at {mails.COMPANY}",
            "We received your application for Data Analyst.",
        ),
        now,
    )
    found = from_mail([other_job, this_job], mails.COMPANY, "Data Analyst")
    assert found.verdict is Verdict.COMPLETED and found.mail_id == "b"
