"""provisioner's handlers, one per consumed event; each notes the event once, atomically."""

from contracts.envelope import Event
from runtime import ledger
from runtime.bus import Delivery
from runtime.service import Service

QUEUED_CONSUMER = "provisioner-queued"
FINISHED_CONSUMER = "provisioner-finished"


async def on_task_queued(svc: Service, event: Event, delivery: Delivery) -> None:
    """A queued task: the provisioner will start its browser profile here."""
    await ledger.note_once(svc.pool, QUEUED_CONSUMER, event, svc.settings.instance)


async def on_task_finished(svc: Service, event: Event, delivery: Delivery) -> None:
    """The task is over: the provisioner will release its browser here."""
    await ledger.note_once(svc.pool, FINISHED_CONSUMER, event, svc.settings.instance)
