"""What provisioner accepts, and its own stages of a task. Pure."""

from contracts.machine import sources_for
from contracts.states import TaskState

# Events after which a task's browser is no longer needed. A task waiting for a person
# (NEED_CAPTCHA, NEED_HUMAN, HUMAN_TAKEOVER, NEED_EMAIL_VERIFY) keeps its browser: none of these.
FINISHING_EVENTS = (
    "task.cancelled",
    "task.failed",
    "profile.failed",
    "application.completed",
    "application.failed",
    "human.timeout",
)
CONSUMED = ("task.queued", *FINISHING_EVENTS)

# Derived from the one transition table in contracts.
ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}

# The provisioner's stages of a task: waiting (not seen by a handler yet), provisioning, retrying,
# ready (its browser runs), paused (sent back by a platform's pause, provisioned again when it ends),
# finishing (its browser being stopped), failed, cancelled, released.
STAGES = ("waiting", "provisioning", "retrying", "ready", "paused", "finishing", "failed", "cancelled", "released")
_DONE = frozenset({"ready", "finishing", "failed", "cancelled", "released"})


def needs_browser(stage: str) -> bool:
    """Whether a delivery of task.queued still has work to do in this stage."""
    return stage not in _DONE


def finished_stage(event_type: str) -> str:
    return "cancelled" if event_type == "task.cancelled" else "released"
