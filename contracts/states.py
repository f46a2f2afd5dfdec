"""The task state machine, as data: states, transitions with timeouts, owners, retry policy.

Each transition is triggered by one event type (and, for events that name where the task goes,
by that target). `contracts.machine.apply` is the only interpreter of this table.
"""

from dataclasses import dataclass
from enum import StrEnum


class TaskState(StrEnum):
    CREATED = "CREATED"
    QUEUED = "QUEUED"
    PROVISIONING = "PROVISIONING"
    READY = "READY"
    NAVIGATING = "NAVIGATING"
    ANALYZING = "ANALYZING"
    EXECUTING_RPA = "EXECUTING_RPA"
    EXECUTING_AGENT = "EXECUTING_AGENT"
    NEED_CAPTCHA = "NEED_CAPTCHA"
    NEED_EMAIL_VERIFY = "NEED_EMAIL_VERIFY"
    NEED_HUMAN = "NEED_HUMAN"
    NEED_REVIEW = "NEED_REVIEW"  # filled, waiting for the user to approve or correct it
    HUMAN_TAKEOVER = "HUMAN_TAKEOVER"
    VERIFYING_EMAIL = "VERIFYING_EMAIL"
    SUBMITTING = "SUBMITTING"
    VERIFYING_SUBMISSION = "VERIFYING_SUBMISSION"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    RETRYING = "RETRYING"
    CLEANUP = "CLEANUP"
    CANCELLED = "CANCELLED"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class FailureReason(StrEnum):
    # Non-retryable: the world says no; retrying would not change it.
    ALREADY_APPLIED = "already_applied"
    JOB_CLOSED = "job_closed"
    LOGIN_REQUIRED = "login_required"
    ACCOUNT_RESTRICTED = "account_restricted"
    NOT_A_JOB_POSTING = "not_a_job_posting"
    # Retryable while tries remain.
    NAVIGATION_TIMEOUT = "navigation_timeout"
    PROVISIONING_FAILED = "provisioning_failed"
    # Final for other reasons.
    MAX_RETRIES = "max_retries_exceeded"
    HUMAN_TIMEOUT = "human_timeout"
    SUBMISSION_ERROR = "submission_error"
    INTERNAL = "internal_error"


S = TaskState

# States an outcome has been decided in. CLEANUP follows COMPLETED, FAILED and CANCELLED once the
# browser is released; the outcome stays on the task. None of these can be cancelled.
OUTCOMES = frozenset({S.COMPLETED, S.FAILED, S.REJECTED, S.CANCELLED})
TERMINAL = OUTCOMES | {S.CLEANUP}

SERVICES = ("intake", "provisioner", "executor", "verifier", "takeover")

# Which service moves a task into each state (DESIGN.md's table). RETRYING belongs to the
# provisioner for provisioning retries and to the executor for navigation retries.
OWNERS: dict[TaskState, frozenset[str]] = {
    S.CREATED: frozenset({"intake"}),
    S.QUEUED: frozenset({"intake"}),
    S.REJECTED: frozenset({"intake"}),
    S.CANCELLED: frozenset({"intake"}),
    S.PROVISIONING: frozenset({"provisioner"}),
    S.READY: frozenset({"provisioner"}),
    S.RETRYING: frozenset({"provisioner", "executor"}),
    S.CLEANUP: frozenset({"provisioner"}),
    S.NAVIGATING: frozenset({"executor"}),
    S.ANALYZING: frozenset({"executor"}),
    S.EXECUTING_RPA: frozenset({"executor"}),
    S.EXECUTING_AGENT: frozenset({"executor"}),
    S.NEED_CAPTCHA: frozenset({"executor"}),
    S.NEED_EMAIL_VERIFY: frozenset({"executor"}),
    S.NEED_HUMAN: frozenset({"executor", "verifier"}),
    S.NEED_REVIEW: frozenset({"executor"}),
    S.SUBMITTING: frozenset({"executor"}),
    S.VERIFYING_EMAIL: frozenset({"verifier"}),
    S.VERIFYING_SUBMISSION: frozenset({"verifier"}),
    S.COMPLETED: frozenset({"verifier"}),
    S.FAILED: frozenset({"verifier", "provisioner", "executor", "takeover"}),
    S.HUMAN_TAKEOVER: frozenset({"takeover"}),
}


@dataclass(frozen=True)
class Transition:
    source: TaskState
    event: str  # the event type that triggers it
    target: TaskState
    # Seconds the move may take before the task is considered stuck (None: waits on a person
    # or on an event with its own deadline).
    timeout_s: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    delays_s: tuple[float, ...]
    retryable_states: frozenset[TaskState]
    non_retryable: frozenset[FailureReason]


RETRY_POLICY = RetryPolicy(
    max_attempts=3,
    delays_s=(5.0, 15.0, 45.0),
    retryable_states=frozenset({S.PROVISIONING, S.NAVIGATING}),
    non_retryable=frozenset(
        {
            FailureReason.ALREADY_APPLIED,
            FailureReason.JOB_CLOSED,
            FailureReason.LOGIN_REQUIRED,
            FailureReason.ACCOUNT_RESTRICTED,
        }
    ),
)

EXECUTING = (S.EXECUTING_RPA, S.EXECUTING_AGENT)
# States the executor drives a browser in; task.failed may end any of them.
EXECUTOR_ACTIVE = (S.READY, S.NAVIGATING, S.ANALYZING, *EXECUTING, S.SUBMITTING)


def _t(source: TaskState, event: str, target: TaskState, timeout_s: float | None = None) -> Transition:
    return Transition(source, event, target, timeout_s)


_FORWARD = [
    _t(S.CREATED, "task.queued", S.QUEUED, 5),
    _t(S.CREATED, "task.rejected", S.REJECTED, 5),
    _t(S.QUEUED, "task.progress", S.PROVISIONING, 300),
    _t(S.PROVISIONING, "profile.ready", S.READY, 30),
    _t(S.PROVISIONING, "task.retrying", S.RETRYING, 30),
    _t(S.PROVISIONING, "profile.failed", S.FAILED, 30),
    _t(S.READY, "task.progress", S.NAVIGATING),
    _t(S.NAVIGATING, "task.progress", S.ANALYZING, 30),
    _t(S.NAVIGATING, "task.retrying", S.RETRYING, 30),
    _t(S.ANALYZING, "task.progress", S.EXECUTING_RPA, 10),
    _t(S.ANALYZING, "task.progress", S.EXECUTING_AGENT, 10),
    _t(S.RETRYING, "task.progress", S.NAVIGATING, 60),
    _t(S.RETRYING, "task.progress", S.PROVISIONING, 60),
    _t(S.RETRYING, "profile.failed", S.FAILED),
    _t(S.RETRYING, "task.failed", S.FAILED),
    _t(S.NEED_CAPTCHA, "task.progress", S.HUMAN_TAKEOVER),
    _t(S.NEED_HUMAN, "task.progress", S.HUMAN_TAKEOVER),
    _t(S.NEED_EMAIL_VERIFY, "task.progress", S.VERIFYING_EMAIL),
    _t(S.VERIFYING_EMAIL, "email.not_found", S.NEED_HUMAN),
    _t(S.HUMAN_TAKEOVER, "human.timeout", S.FAILED),
    _t(S.HUMAN_TAKEOVER, "human.resolved", S.VERIFYING_SUBMISSION, 300),
    _t(S.SUBMITTING, "application.submitted", S.VERIFYING_SUBMISSION, 15),
    _t(S.VERIFYING_SUBMISSION, "application.completed", S.COMPLETED, 15),
    _t(S.VERIFYING_SUBMISSION, "application.failed", S.FAILED, 15),
    _t(S.VERIFYING_SUBMISSION, "human.needed", S.NEED_HUMAN),
    _t(S.COMPLETED, "profile.released", S.CLEANUP, 30),
    _t(S.FAILED, "profile.released", S.CLEANUP, 30),
    _t(S.CANCELLED, "profile.released", S.CLEANUP, 30),
]

# Filling a form: step to step, into the agent, out to a person or the mailbox, on to submit.
_EXECUTING = [
    tr
    for src in EXECUTING
    for tr in (
        _t(src, "task.progress", src),
        _t(src, "captcha.detected", S.NEED_CAPTCHA),
        _t(src, "email.verification_needed", S.NEED_EMAIL_VERIFY),
        _t(src, "human.needed", S.NEED_HUMAN),
        _t(src, "task.progress", S.SUBMITTING, 120),
        _t(src, "task.review_needed", S.NEED_REVIEW),
    )
] + [_t(S.EXECUTING_RPA, "task.progress", S.EXECUTING_AGENT)]

# A CAPTCHA before submit (Lever), a security code after it (Greenhouse), a server-side
# validation error nobody can answer: the submit step can need outside help too.
_SUBMITTING = [
    _t(S.SUBMITTING, "captcha.detected", S.NEED_CAPTCHA),
    _t(S.SUBMITTING, "email.verification_needed", S.NEED_EMAIL_VERIFY),
    _t(S.SUBMITTING, "human.needed", S.NEED_HUMAN),
]

# Help arrived: continue where the page is, in the mode the executor asked for.
_RESUMES = [
    _t(src, event, target, 300 if src is S.HUMAN_TAKEOVER else None)
    for src, event in ((S.HUMAN_TAKEOVER, "human.resolved"), (S.VERIFYING_EMAIL, "email.verified"))
    for target in (*EXECUTING, S.SUBMITTING)
]

# The user approved a reviewed form: the executor types the corrections in and submits.
_REVIEWS = [_t(S.NEED_REVIEW, "task.approved", S.SUBMITTING, 120)]

# A platform paused the account (a daily limit): the task goes back to the provisioner, which
# starts it again when the pause ends (RETRYING, then PROVISIONING).
_PAUSES = [_t(src, "task.retrying", S.RETRYING) for src in (S.ANALYZING, *EXECUTING)]

# The executor fails the states it drives; an operator can fail a task that waits for a person.
_FAILURES = [_t(src, "task.failed", S.FAILED) for src in (*EXECUTOR_ACTIVE, S.HUMAN_TAKEOVER, S.NEED_REVIEW)]

_CANCELS = [_t(src, "task.cancelled", S.CANCELLED) for src in TaskState if src not in TERMINAL]

TRANSITIONS: tuple[Transition, ...] = tuple(
    _FORWARD + _EXECUTING + _SUBMITTING + _RESUMES + _REVIEWS + _PAUSES + _FAILURES + _CANCELS
)
