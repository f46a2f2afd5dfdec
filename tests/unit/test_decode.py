"""Decoding events: a bad payload becomes a permanent error whose reason names fields, not values."""

import json

import pytest
from pydantic import ValidationError

from contracts.tasks import TaskQueued
from runtime.bus import decode
from runtime.errors import PermanentError
from tests.support import queued_event

pytestmark = pytest.mark.unit


def test_an_invalid_event_is_described_without_its_values() -> None:
    payload = b'{"type": "human.resolved", "answers": {"phone": "+1 415 555 0100"}, "task_id": "nope"}'
    with pytest.raises(PermanentError) as caught:
        decode("human.resolved.x", payload)
    reason = caught.value.reason
    assert reason.startswith("invalid human.resolved event:") and "task_id" in reason and "resume_state" in reason
    assert "555" not in reason and "nope" not in reason


def test_an_unknown_subject_is_permanent() -> None:
    with pytest.raises(PermanentError, match="no event type"):
        decode("weather.report.x", b"{}")


def test_fields_a_newer_producer_added_are_ignored_by_consumers() -> None:
    event = queued_event()
    newer = json.loads(event.model_dump_json()) | {"seniority": "staff", "salary_band": {"min": 1}}
    assert decode(f"task.queued.normal.{event.task_id}", json.dumps(newer).encode()) == event


def test_producers_stay_strict_about_unknown_fields() -> None:
    fields = json.loads(queued_event().model_dump_json()) | {"seniority": "staff"}
    with pytest.raises(ValidationError, match="seniority"):
        TaskQueued.model_validate(fields)


def test_an_unknown_field_beside_a_wrong_one_still_names_the_wrong_one() -> None:
    fields = json.loads(queued_event().model_dump_json()) | {"seniority": "staff", "task_id": "nope"}
    with pytest.raises(PermanentError) as caught:
        decode("task.queued.normal.x", json.dumps(fields).encode())
    assert "task_id" in caught.value.reason and "seniority" not in caught.value.reason


def test_a_body_that_is_not_json_is_permanent_with_its_reason() -> None:
    with pytest.raises(PermanentError, match=r"invalid task\.queued event: payload: Invalid JSON"):
        decode("task.queued.normal.x", b"\x00not json{")
