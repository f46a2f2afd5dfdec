"""What provisioner accepts: for each event it consumes, the task states it applies in. Pure."""

from contracts.machine import sources_for
from contracts.states import TaskState

# Events after which a task's browser is no longer needed.
FINISHING_EVENTS = (
    "task.cancelled",
    "task.failed",
    "profile.failed",
    "application.completed",
    "application.failed",
    "human.timeout",
)
CONSUMED = ("task.queued", *FINISHING_EVENTS)

# Derived from the one transition table in contracts: the guard for the state this service will
# keep of each task (its handlers are thin for now and keep only the ledger).
ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}
