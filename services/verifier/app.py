"""verifier's wiring: its durable consumers and their handlers, and the loop that looks at waits."""

from functools import partial
from pathlib import Path

from contracts.applications import ApplicationSubmitted
from contracts.mail import EmailVerificationNeeded
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from contracts.tasks import TaskCancelled
from contracts.users import MailboxConnected, MailboxDisconnected, UserDeleted
from runtime.service import Service
from services.verifier import handlers, lookagain
from services.verifier.sealing import Sealer
from services.verifier.settings import VerifierSettings
from services.verifier.waits import Waiter

MIGRATIONS = Path(__file__).parent / "migrations"

# Handlers only write a row or two (the wait itself is a row): short ack waits suffice.
VERIFICATION_NEEDED = ConsumerSpec(
    durable=handlers.VERIFICATION_NEEDED_CONSUMER,
    filter_subjects=(event_filter(EmailVerificationNeeded.TYPE),),
    ack_wait_s=60,
    max_ack_pending=16,
)

SUBMITTED = ConsumerSpec(
    durable=handlers.SUBMITTED_CONSUMER,
    filter_subjects=(event_filter(ApplicationSubmitted.TYPE),),
    ack_wait_s=60,
    max_ack_pending=16,
)

CANCELLED = ConsumerSpec(
    durable=handlers.CANCELLED_CONSUMER,
    filter_subjects=(event_filter(TaskCancelled.TYPE),),
    ack_wait_s=30,
    max_ack_pending=16,
)

# Account events' subjects are `user.deleted.<user id>`.
USERS = ConsumerSpec(
    durable=handlers.USERS_CONSUMER,
    filter_subjects=(f"{UserDeleted.TYPE}.*",),
    ack_wait_s=60,
    max_ack_pending=4,
)


# Mailboxes connected and disconnected at intake (account events: `user.mailbox_*.<user id>`).
MAILBOXES = ConsumerSpec(
    durable=handlers.MAILBOXES_CONSUMER,
    filter_subjects=(f"{MailboxConnected.TYPE}.*", f"{MailboxDisconnected.TYPE}.*"),
    ack_wait_s=30,
    max_ack_pending=4,
)


def sealer_for(settings: VerifierSettings) -> Sealer:
    if settings.mailbox_key is not None:
        return Sealer(bytes.fromhex(settings.mailbox_key.get_secret_value()))
    return Sealer.derived(settings.secret_key.get_secret_value())


def build(settings: VerifierSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(VERIFICATION_NEEDED, partial(handlers.on_verification_needed, svc))
    svc.consume(SUBMITTED, partial(handlers.on_submitted, svc))
    svc.consume(CANCELLED, partial(handlers.on_cancelled, svc))
    sealer = sealer_for(settings)
    svc.consume(USERS, partial(handlers.on_user_deleted, svc, sealer))
    svc.consume(MAILBOXES, partial(handlers.on_mailbox_event, svc, sealer))
    look = lookagain.SecondLook()  # one Playwright driver for the service's looks, closed with it
    svc.background(partial(_waits, Waiter(svc, settings, sealer, look), look))
    return svc


async def _waits(waiter: Waiter, look: lookagain.SecondLook) -> None:
    try:
        await waiter.run()
    finally:
        await look.close()
