"""takeover's handlers, one per consumed event; each notes the event once, atomically."""

from contracts.envelope import Event
from runtime import ledger
from runtime.bus import Delivery
from runtime.service import Service

HELP_WANTED_CONSUMER = "takeover-queue"


async def on_help_wanted(svc: Service, event: Event, delivery: Delivery) -> None:
    """A task needs a person: takeover will queue it for an operator here."""
    await ledger.note_once(svc.pool, HELP_WANTED_CONSUMER, event, svc.settings.instance)
