"""takeover's wiring: its durable consumers and their handlers."""

from functools import partial
from pathlib import Path

from contracts.human import CaptchaDetected, HumanNeeded
from contracts.mail import EmailNotFound
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from runtime.service import Service
from services.takeover import handlers
from services.takeover.settings import TakeoverSettings

MIGRATIONS = Path(__file__).parent / "migrations"

HELP_WANTED = ConsumerSpec(
    durable=handlers.HELP_WANTED_CONSUMER,
    filter_subjects=(
        event_filter(CaptchaDetected.TYPE),
        event_filter(HumanNeeded.TYPE),
        event_filter(EmailNotFound.TYPE),
    ),
    ack_wait_s=30,
    max_ack_pending=64,
)


def build(settings: TakeoverSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(HELP_WANTED, partial(handlers.on_help_wanted, svc))
    return svc
