"""verifier's wiring: its durable consumers and their handlers."""

from functools import partial
from pathlib import Path

from contracts.applications import ApplicationSubmitted
from contracts.mail import EmailVerificationNeeded
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from runtime.service import Service
from services.verifier import handlers
from services.verifier.settings import VerifierSettings

MIGRATIONS = Path(__file__).parent / "migrations"

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


def build(settings: VerifierSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(VERIFICATION_NEEDED, partial(handlers.on_verification_needed, svc))
    svc.consume(SUBMITTED, partial(handlers.on_submitted, svc))
    return svc
