"""The unattended demo's clock: it reports once every task settled, before a person's wait would
reach takeover's timeout, or after a quiet spell; a task still moving keeps it waiting."""

from datetime import UTC, datetime
from typing import Any

import pytest

from autoapply import demo_wait
from autoapply.demo_wait import Clock

pytestmark = pytest.mark.unit

T0 = 1_800_000_000.0


def task(state: str, waits_at: float | None = None) -> dict[str, Any]:
    timeline = [{"type": "task.queued", "at": datetime.fromtimestamp(T0 - 5, UTC).isoformat()}]
    if waits_at is not None:
        timeline.append({"type": "captcha.detected", "at": datetime.fromtimestamp(waits_at, UTC).isoformat()})
    return {"state": state, "timeline": timeline}


def test_it_reports_before_a_persons_wait_would_time_out_while_another_task_still_moves() -> None:
    clock = Clock(timeout_s=300.0, began=T0)
    waiting, moving = task("HUMAN_TAKEOVER", waits_at=T0 + 10), task("EXECUTING_RPA")
    for now in (T0 + 1, T0 + 200, T0 + 279):
        assert clock.look([waiting, moving], now) is None
        moving = task("EXECUTING_RPA" if now < T0 + 100 else "SUBMITTING")
    assert clock.look([waiting, moving], T0 + 10 + 300 - demo_wait.REPORT_BEFORE_S) == "a person's wait would end"


def test_it_reports_at_once_when_every_task_ended_or_waits_for_a_person() -> None:
    clock = Clock(timeout_s=300.0, began=T0)
    tasks = [task("COMPLETED"), task("NEED_HUMAN", waits_at=T0), task("CLEANUP"), task("FAILED")]
    assert clock.look(tasks, T0 + 1) == "settled"


def test_a_quiet_spell_ends_the_wait_and_a_change_starts_it_again() -> None:
    clock = Clock(timeout_s=10_000.0, began=T0)
    assert clock.look([task("PROVISIONING")], T0) is None
    assert clock.look([task("READY")], T0 + demo_wait.QUIET_S - 1) is None  # it moved: the wait starts again
    assert clock.look([task("READY")], T0 + 2 * demo_wait.QUIET_S - 2) is None
    assert clock.look([task("READY")], T0 + 2 * demo_wait.QUIET_S) == f"no task moved for {demo_wait.QUIET_S:.0f} s"


def test_the_persons_timeout_is_takeovers_own_setting() -> None:
    assert demo_wait.person_timeout_s({}) == 300.0
    assert demo_wait.person_timeout_s({"AUTOAPPLY_HUMAN_TIMEOUT_S": "90"}) == 90.0
