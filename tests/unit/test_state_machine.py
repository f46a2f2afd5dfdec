"""The task state machine, as data: reachability, termination, cancellation, determinism."""

from collections import deque
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.human import CaptchaDetected
from contracts.machine import InvalidTransition, allowed, apply, sources_for, transition_for
from contracts.mail import EmailNotFound
from contracts.registry import EVENT_TYPES
from contracts.states import (
    OUTCOMES,
    OWNERS,
    RETRY_POLICY,
    TERMINAL,
    TRANSITIONS,
    FailureReason,
    TaskState,
)
from contracts.tasks import TaskCancelled

pytestmark = pytest.mark.unit
S = TaskState


def successors(state: TaskState) -> set[TaskState]:
    return {tr.target for tr in TRANSITIONS if tr.source is state}


def reachable(start: TaskState) -> set[TaskState]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in successors(todo.popleft()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_every_state_of_the_original_design_exists() -> None:
    names = {
        "CREATED",
        "QUEUED",
        "PROVISIONING",
        "READY",
        "NAVIGATING",
        "ANALYZING",
        "EXECUTING_RPA",
        "EXECUTING_AGENT",
        "NEED_CAPTCHA",
        "NEED_EMAIL_VERIFY",
        "NEED_HUMAN",
        "HUMAN_TAKEOVER",
        "VERIFYING_EMAIL",
        "SUBMITTING",
        "VERIFYING_SUBMISSION",
        "COMPLETED",
        "FAILED",
        "REJECTED",
        "RETRYING",
        "CLEANUP",
        "CANCELLED",
    }
    # Ours adds one: a filled form waiting for the user to approve it (review before submit).
    assert {s.value for s in TaskState} == names | {"NEED_REVIEW"}


def test_every_state_is_reachable_from_created() -> None:
    assert reachable(S.CREATED) == set(TaskState)


@pytest.mark.parametrize("state", sorted(set(TaskState) - TERMINAL))
def test_every_non_terminal_state_can_reach_a_terminal_one(state: TaskState) -> None:
    assert reachable(state) & TERMINAL


@pytest.mark.parametrize("state", sorted(set(TaskState) - TERMINAL))
def test_cancel_is_possible_from_every_non_terminal_state(state: TaskState) -> None:
    event = TaskCancelled(task_id=uuid4(), user_id=uuid4())
    assert apply(state, event) is S.CANCELLED


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_cannot_be_cancelled_or_reopened(state: TaskState) -> None:
    with pytest.raises(InvalidTransition):
        apply(state, TaskCancelled(task_id=uuid4(), user_id=uuid4()))
    assert successors(state) <= {S.CLEANUP}


def test_outcomes_end_in_cleanup_once_the_browser_is_released() -> None:
    for state in OUTCOMES - {S.REJECTED}:
        assert transition_for(state, "profile.released", None).target is S.CLEANUP
    assert not successors(S.CLEANUP)


def test_every_state_has_an_owner_and_every_transition_a_known_event() -> None:
    assert set(OWNERS) == set(TaskState)
    assert {tr.event for tr in TRANSITIONS} <= set(EVENT_TYPES)


def test_an_event_that_names_no_target_has_one_transition_per_state() -> None:
    # Only events that carry their target (task.progress, human.resolved, email.verified) may
    # fan out; for every other event the source state alone decides.
    fan_out = {"task.progress", "human.resolved", "email.verified"}
    for tr in TRANSITIONS:
        targets = {t.target for t in allowed(tr.source, tr.event)}
        assert len(targets) == 1 or tr.event in fan_out, (tr.source, tr.event, targets)


def test_original_timeouts_are_kept() -> None:
    def timeout(src: TaskState, event: str, dst: TaskState) -> float | None:
        return transition_for(src, event, dst).timeout_s

    assert timeout(S.CREATED, "task.queued", S.QUEUED) == 5
    assert timeout(S.QUEUED, "task.progress", S.PROVISIONING) == 300
    assert timeout(S.PROVISIONING, "profile.ready", S.READY) == 30
    assert timeout(S.NAVIGATING, "task.progress", S.ANALYZING) == 30
    assert timeout(S.ANALYZING, "task.progress", S.EXECUTING_RPA) == 10
    assert timeout(S.EXECUTING_RPA, "task.progress", S.SUBMITTING) == 120
    assert timeout(S.HUMAN_TAKEOVER, "human.resolved", S.EXECUTING_RPA) == 300
    assert timeout(S.SUBMITTING, "application.submitted", S.VERIFYING_SUBMISSION) == 15
    assert timeout(S.COMPLETED, "profile.released", S.CLEANUP) == 30


def test_retry_policy_is_the_original_one() -> None:
    assert RETRY_POLICY.max_attempts == 3
    assert RETRY_POLICY.delays_s == (5.0, 15.0, 45.0)
    assert RETRY_POLICY.retryable_states == {S.PROVISIONING, S.NAVIGATING}
    assert {r.value for r in RETRY_POLICY.non_retryable} == {
        "already_applied",
        "job_closed",
        "login_required",
        "account_restricted",
    }
    assert FailureReason.NAVIGATION_TIMEOUT not in RETRY_POLICY.non_retryable


def test_guards_list_exactly_the_sources_of_an_event() -> None:
    assert sources_for("profile.ready") == [S.PROVISIONING]
    assert set(sources_for("task.cancelled")) == set(TaskState) - TERMINAL


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=60))
def test_any_walk_of_allowed_transitions_stays_in_the_machine(choices: list[int]) -> None:
    # Random walks: from every state reached, some terminal state stays reachable, and a
    # terminal state is never left except for CLEANUP.
    state = S.CREATED
    for choice in choices:
        options = sorted(successors(state))
        if not options:
            break
        nxt = options[choice % len(options)]
        assert nxt in reachable(state)
        if state in TERMINAL:
            assert nxt is S.CLEANUP
        state = nxt
    assert state in TERMINAL or reachable(state) & TERMINAL


@given(st.sampled_from(sorted(TaskState)), st.sampled_from(sorted(EVENT_TYPES)))
def test_apply_either_follows_the_table_or_refuses(state: TaskState, event_type: str) -> None:
    if not allowed(state, event_type):
        with pytest.raises(InvalidTransition):
            transition_for(state, event_type, None)


def test_a_request_for_help_goes_where_the_table_says_not_to_its_resume_state() -> None:
    ids = {"task_id": uuid4(), "user_id": uuid4()}
    captcha = CaptchaDetected(**ids, page_url="https://jobs.example.com/1", resume_state=TaskState.SUBMITTING)
    assert apply(TaskState.EXECUTING_RPA, captcha) is TaskState.NEED_CAPTCHA
    lost = EmailNotFound(**ids, waited_s=120, resume_state=TaskState.SUBMITTING)
    assert apply(TaskState.VERIFYING_EMAIL, lost) is TaskState.NEED_HUMAN
