"""Decoding events: a bad payload becomes a permanent error whose reason names fields, not values."""

import pytest

from runtime.bus import decode
from runtime.errors import PermanentError

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
