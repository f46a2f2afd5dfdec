"""Events: frozen, strict, round-trip through JSON; subjects carry the task id."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.human import CaptchaDetected
from contracts.mail import EmailVerified
from contracts.profiles import ProfileReady
from contracts.registry import EVENT_TYPES
from contracts.states import Priority, TaskState
from contracts.subjects import event_type_of, queued_subject, subject_for, task_filters
from contracts.tasks import TaskQueued

pytestmark = pytest.mark.unit
IDS = {"task_id": uuid4(), "user_id": uuid4()}


def queued(**extra: object) -> TaskQueued:
    fields: dict[str, object] = {
        "job_url": "https://jobs.example.com/1",
        "platform": "generic",
        "job_key": "generic:1",
        "resume_id": "r1",
    }
    return TaskQueued(**IDS, **{**fields, **extra})  # type: ignore[arg-type]


def test_the_four_original_names_are_kept_verbatim() -> None:
    assert {"task.queued", "profile.ready", "captcha.detected", "email.verified"} <= set(EVENT_TYPES)
    assert TaskQueued.TYPE == "task.queued" and ProfileReady.TYPE == "profile.ready"
    assert CaptchaDetected.TYPE == "captcha.detected" and EmailVerified.TYPE == "email.verified"


def test_envelope_fields_are_on_every_event() -> None:
    for model in EVENT_TYPES.values():
        assert {"event_id", "task_id", "user_id", "occurred_at", "causation_id", "schema_version"} <= set(
            model.model_fields
        )
        assert model.model_config.get("frozen") and model.model_config.get("extra") == "forbid"


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    event = queued()
    with pytest.raises(ValidationError):
        event.platform = "lever"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        queued(surprise=1)


def test_json_round_trip_keeps_everything() -> None:
    event = queued(priority=Priority.HIGH, preferences={"willing_to_relocate": True})
    again = TaskQueued.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.occurred_at.tzinfo is not None


def test_job_urls_must_be_http() -> None:
    with pytest.raises(ValidationError):
        queued(job_url="file:///etc/passwd")


def test_subjects_end_with_the_task_id_and_name_the_event() -> None:
    event = ApplicationSubmitted(**IDS, attempt_id="a", page_url="https://x.example", receipt_uri="r")
    subject = subject_for(event)
    assert subject == f"application.submitted.{IDS['task_id']}"
    assert event_type_of(subject) == "application.submitted"


def test_priority_is_routable_in_the_queued_subject() -> None:
    event = queued(priority=Priority.HIGH)
    assert subject_for(event) == queued_subject(Priority.HIGH, IDS["task_id"]) == f"task.queued.high.{IDS['task_id']}"
    assert event_type_of(subject_for(event)) == "task.queued"


def test_task_filters_cover_both_subject_shapes() -> None:
    three, four = task_filters(IDS["task_id"])
    assert three.count(".") == 2 and four.count(".") == 3


def test_resume_states_are_task_states() -> None:
    event = EmailVerified(**IDS, kind="code", value="hWze7RPl", resume_state=TaskState.SUBMITTING)
    assert EmailVerified.model_validate_json(event.model_dump_json()).resume_state is TaskState.SUBMITTING
    with pytest.raises(ValidationError):
        EmailVerified(**IDS, kind="code", value="x", resume_state="NOT_A_STATE")  # type: ignore[arg-type]


def test_an_event_base_is_only_a_base() -> None:
    assert Event.TYPE == "" and isinstance(queued().event_id, UUID)
    assert queued().occurred_at <= datetime.now(UTC)
