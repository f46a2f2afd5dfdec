"""What executor accepts: for each event it consumes, the task states it applies in. Pure."""

from contracts.machine import sources_for
from contracts.states import TaskState

CONSUMED = (
    "profile.ready",
    "human.resolved",
    "email.verified",
)

# Derived from the one transition table in contracts: the guard for the state this service will
# keep of each task (its handlers are thin for now and keep only the ledger).
ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}
