"""verifier's handlers, one per consumed event; each notes the event once, atomically."""

from contracts.envelope import Event
from runtime import ledger
from runtime.bus import Delivery
from runtime.service import Service

VERIFICATION_NEEDED_CONSUMER = "verifier-email"
SUBMITTED_CONSUMER = "verifier-submissions"


async def on_verification_needed(svc: Service, event: Event, delivery: Delivery) -> None:
    """The executor waits for a code or link: the verifier will search the mailbox here."""
    await ledger.note_once(svc.pool, VERIFICATION_NEEDED_CONSUMER, event, svc.settings.instance)


async def on_submitted(svc: Service, event: Event, delivery: Delivery) -> None:
    """An application was sent: the verifier will look for proof here."""
    await ledger.note_once(svc.pool, SUBMITTED_CONSUMER, event, svc.settings.instance)
