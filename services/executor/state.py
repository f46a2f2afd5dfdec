"""What executor accepts: for each event it consumes, the task states it applies in. Pure."""

from contracts.machine import sources_for
from contracts.states import TaskState

CONSUMED = (
    "profile.ready",
    "human.resolved",
    "email.verified",
    "task.approved",
)

# Derived from the one transition table in contracts: the guard for the state this service will
# keep of each task.
ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}
