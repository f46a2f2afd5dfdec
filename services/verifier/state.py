"""What verifier accepts: for each event it consumes, the task states it applies in. Pure."""

from contracts.machine import sources_for
from contracts.states import TaskState

CONSUMED = (
    "email.verification_needed",
    "application.submitted",
    "task.cancelled",
)

# Derived from the one transition table in contracts. The verifier keeps no task state of its
# own (intake's read model does); its waits end when their mail, proof or deadline comes.
ACCEPTED_IN: dict[str, tuple[TaskState, ...]] = {event: tuple(sources_for(event)) for event in CONSUMED}
