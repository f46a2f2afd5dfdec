"""What the user is told, and how a question is answered: pure parts, no server."""

import uuid

import pytest

from contracts.applications import ApplicationCompleted, ApplicationSubmitted
from contracts.human import CaptchaDetected, HumanNeeded, Question
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed, TaskReviewNeeded
from services.intake import answers, cookies, mailer, notices
from services.intake.errors import ApiError
from services.intake.settings import IntakeSettings
from services.intake.store_notifications import Outgoing

pytestmark = pytest.mark.unit
IDS = {"task_id": uuid.uuid4(), "user_id": uuid.uuid4()}
JOB = "https://boards.example.org/acme/jobs/42"
HEAR = "How did you hear about this job?"


def needed(**extra: object) -> HumanNeeded:
    fields = (Question(label=HEAR, widget="select", options=("Referral", "Company website")),)
    return HumanNeeded(reason="unanswered", resume_state=TaskState.EXECUTING_RPA, fields=fields, **IDS, **extra)


def test_the_outcomes_and_waits_for_the_user_are_told_and_the_rest_are_not() -> None:
    done = notices.notice_for(
        ApplicationCompleted(confirmation_id="GH-1", job_title="Data Engineer", company="Acme", **IDS), JOB
    )
    assert done and done.kind == "completed" and done.title == "Applied: Data Engineer at Acme" and "GH-1" in done.body
    failed = notices.notice_for(TaskFailed(reason=FailureReason.JOB_CLOSED, **IDS), JOB)
    assert failed and failed.kind == "failed" and "job closed" in failed.body
    assert failed.title == "Not applied: boards.example.org/acme/jobs/42"
    question = notices.notice_for(needed(), JOB)
    assert question and question.kind == "question" and HEAR in question.body
    assert question.link == f"/app/tasks/{IDS['task_id']}?open=question#question"
    review = notices.notice_for(TaskReviewNeeded(page_url=JOB, resume_state=TaskState.SUBMITTING, **IDS), JOB)
    assert review and review.kind == "review" and review.link.endswith("#review")
    # An operator's business, or a step on the way: the page shows them, no mail is sent.
    assert notices.notice_for(CaptchaDetected(page_url=JOB, resume_state=TaskState.SUBMITTING, **IDS), JOB) is None
    assert notices.notice_for(HumanNeeded(reason="unprovable", resume_state=TaskState.SUBMITTING, **IDS), JOB) is None
    sent = ApplicationSubmitted(attempt_id="a", page_url=JOB, receipt_uri="r", **IDS)
    assert notices.notice_for(sent, JOB) is None


def test_a_redelivered_event_is_the_same_notification() -> None:
    event = needed()
    first, again = notices.notice_for(event, JOB), notices.notice_for(event, JOB)
    assert first and again and first.notification_id == again.notification_id
    other = notices.notice_for(needed(), JOB)
    assert other and other.notification_id != first.notification_id


def _settings() -> IntakeSettings:
    return IntakeSettings.model_validate(
        {
            "service": "intake",
            "instance": "intake-1",
            "nats_url": "nats://127.0.0.1:4222",
            "database_url": "postgresql://u@127.0.0.1/db",
            "redis_url": "redis://127.0.0.1:6379/0",
            "health_port": 0,
            "mode": "sandbox",
            "secret_key": "k" * 64,
            "replicas": 1,
            "data_dir": "/tmp",
            "http_port": 8000,
            "smtp_host": "127.0.0.1",
        }
    )


def test_a_mail_links_to_the_page_and_a_resend_keeps_its_message_id() -> None:
    settings = _settings()
    item = Outgoing(uuid.uuid4(), uuid.uuid4(), "ada@example.org", "A question", "Answer it.", "/app/tasks/x#question")
    mail, again = mailer.single(settings, item), mailer.single(settings, item)
    assert mail["To"] == "ada@example.org" and mail["Subject"] == "A question"
    assert "http://127.0.0.1:8000/app/tasks/x#question" in mail.get_content()
    assert mail["Message-ID"] == again["Message-ID"] == f"<{item.notification_id}@autoapply>"
    two = [item, Outgoing(uuid.uuid4(), item.user_id, item.email, "Applied: Acme", "Sent.", "/app/tasks/y")]
    digest = mailer.digest(settings, two)
    assert digest["Subject"] == "Your applications today: 2 updates"
    assert "A question" in digest.get_content() and "/app/tasks/y" in digest.get_content()


def test_a_users_answer_covers_the_questions_asked_and_names_what_is_not() -> None:
    event = needed()
    assert answers.check(event, {f" {HEAR} ": " Referral "}) == {HEAR: "Referral"}
    with pytest.raises(ApiError) as unknown:
        answers.check(event, {HEAR: "Referral", "Shoe size": "9"})
    assert unknown.value.code == "unknown_label" and unknown.value.details["labels"] == ["Shoe size"]
    with pytest.raises(ApiError) as blank:
        answers.check(event, {HEAR: "  "})
    assert blank.value.code == "unanswered_questions"


def test_the_csrf_token_is_the_sessions_and_nobody_elses() -> None:
    session = uuid.uuid4()
    token = cookies.csrf_token("secret", session)
    assert cookies.csrf_ok("secret", session, token)
    assert not cookies.csrf_ok("secret", uuid.uuid4(), token)
    assert not cookies.csrf_ok("another secret", session, token)
    assert not cookies.csrf_ok("secret", session, None) and not cookies.csrf_ok("secret", session, "")
