"""executor's handlers, one per consumed event; each notes the event once, atomically."""

from contracts.envelope import Event
from runtime import ledger
from runtime.bus import Delivery
from runtime.service import Service

PROFILE_READY_CONSUMER = "executor-profile-ready"
RESUMED_CONSUMER = "executor-resumed"


async def on_profile_ready(svc: Service, event: Event, delivery: Delivery) -> None:
    """A browser is ready for the task: the executor will navigate and fill here."""
    await ledger.note_once(svc.pool, PROFILE_READY_CONSUMER, event, svc.settings.instance)


async def on_resumed(svc: Service, event: Event, delivery: Delivery) -> None:
    """Help arrived (an operator, or the mailbox): the executor will re-attach and continue here."""
    await ledger.note_once(svc.pool, RESUMED_CONSUMER, event, svc.settings.instance)
