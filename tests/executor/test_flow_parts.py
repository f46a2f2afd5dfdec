"""The flow's pure parts: what is reviewed, what a receipt says, which halt a page's challenge is,
and how a person's answers join the task's copy of the profile."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.profile import Preferences, Profile
from contracts.states import FailureReason, TaskState
from forms.act.common import Filled
from forms.fill import FormReport, Step
from forms.records import Challenge, FieldRecord, Option, Resolution
from services.executor import receipt, steps, submitting, templates
from services.executor.applicant import _plain_name, with_answers
from services.executor.halts import from_challenges
from services.executor.store import Task

pytestmark = pytest.mark.unit

PERSON = Profile(first_name="Ada", last_name="Example", email="ada@example.org")


def task(**preferences: object) -> Task:
    return Task(
        task_id=uuid4(),
        user_id=uuid4(),
        job_url="https://boards.greenhouse.io/example/jobs/1",
        platform="greenhouse",
        job_key="greenhouse:example:1",
        preferences=dict(preferences),
        cdp_url="http://127.0.0.1:9222",
        live_view_url=None,
        exit_ip=None,
        state=TaskState.READY,
        waiting=None,
        finished=False,
        navigations=0,
        answers={},
        submitted_at=datetime.now(UTC),
    )


def record(label: str, widget: str = "text", **extra: object) -> FieldRecord:
    return FieldRecord(handle=label.lower()[:8], selector=f"#{label.lower()[:8]}", widget=widget, label=label, **extra)  # type: ignore[arg-type]


def test_review_comes_from_the_profile_or_the_task() -> None:
    reviewing = PERSON.model_copy(update={"preferences": Preferences(review_before_submit=True)})
    assert not submitting.wants_review(task(), PERSON)
    assert submitting.wants_review(task(), reviewing)
    assert submitting.wants_review(task(review=True), PERSON) and submitting.wants_review(task(review="yes"), PERSON)
    assert submitting.wants_review(task(dry_run=1), PERSON) and submitting.dry_run(task(dry_run="true"))
    assert not submitting.wants_review(task(review="no", dry_run=False), PERSON)


def test_the_receipt_lists_what_was_sent_with_provenance_and_the_open_questions() -> None:
    name = Filled(record("First name"), Resolution("Ada", "profile", "first_name"), "filled", "Ada")
    cv = Filled(record("Resume", "file"), Resolution("/tmp/x/Ada_Example_Resume.pdf", "profile", "resume"), "filled")
    stuck = Filled(record("Phone", "tel"), Resolution("+1 206 555 0100", "profile", "phone"), "failed", "", "no")
    hear = record("How did you hear?", "select", required=True, options=(Option("LinkedIn"), Option("Other")))
    report = FormReport(
        "greenhouse", "needs_answers", (Step((name, cv, stuck), ((hear, Resolution(None, reason="no answer")),)),)
    )
    sent = receipt.sent_fields(report)
    assert [(f.label, f.value, f.provenance) for f in sent] == [
        ("First name", "Ada", "profile"),
        ("Resume", "Ada_Example_Resume.pdf", "profile"),
    ]
    assert receipt.uploaded(report)
    asked = receipt.unresolved(report)
    assert [(q.label, q.widget, q.options) for q in asked] == [
        ("How did you hear?", "select", ("LinkedIn", "Other")),
        ("Phone", "tel", ()),
    ]
    assert asked[0].reason == "no answer"


def test_a_page_challenge_is_a_failure_with_its_reason_or_a_wait() -> None:
    closed = from_challenges((Challenge("captcha"), Challenge("closed")))
    assert closed is not None and (closed.kind, closed.reason) == ("failed", FailureReason.JOB_CLOSED)
    login = from_challenges((Challenge("login_wall"),))
    assert login is not None and login.reason is FailureReason.LOGIN_REQUIRED
    applied = from_challenges((Challenge("already_applied"),))
    assert applied is not None and applied.reason is FailureReason.ALREADY_APPLIED
    captcha = from_challenges((Challenge("captcha"),))
    assert captcha is not None and captcha.kind == "captcha"
    link = from_challenges((Challenge("email_link"),))
    assert link is not None and link.kind == "email_link"
    assert from_challenges(()) is None


def test_answers_join_the_bank_for_this_task_with_their_provenance() -> None:
    given = with_answers(PERSON, {"How did you hear?": {"answer": "Other", "provenance": "operator"}})
    assert given.answers["How did you hear?"].answer == "Other"
    assert given.answers["How did you hear?"].provenance == "operator"
    assert PERSON.answers == {}


def test_a_resume_keeps_a_plain_file_name() -> None:
    assert _plain_name("Ada_Example_Resume.pdf") == "Ada_Example_Resume.pdf"
    assert _plain_name("../../etc/passwd") == "_.._etc_passwd"
    assert _plain_name(None) == "resume.pdf"


def test_the_steps_before_the_submit_and_its_number() -> None:
    greenhouse = templates.load_all()["greenhouse"]
    before = steps.before_submit(greenhouse)
    assert [s.id for s in before] == ["open_embedded_form", "wait_for_form", "fill_application"]
    assert steps.submit_number(greenhouse) == 4 and len(greenhouse.steps) == 5
