"""executor's wiring: its durable consumers and their handlers."""

from functools import partial
from pathlib import Path

from contracts.human import HumanResolved
from contracts.mail import EmailVerified
from contracts.profiles import ProfileReady
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from runtime.service import Service
from services.executor import handlers
from services.executor.settings import ExecutorSettings

MIGRATIONS = Path(__file__).parent / "migrations"
# One browser per task at a time: the executor's real concurrency is its browser slots (a cap;
# what runs is instances x AUTOAPPLY_WORKERS).
BROWSER_SLOTS = 4
# A whole application, page after page, may take minutes; past this it is cancelled and retried.
MAX_STEP_S = 900

PROFILE_READY = ConsumerSpec(
    durable=handlers.PROFILE_READY_CONSUMER,
    filter_subjects=(event_filter(ProfileReady.TYPE),),
    ack_wait_s=120,
    max_ack_pending=BROWSER_SLOTS,
    max_run_s=MAX_STEP_S,
)

RESUMED = ConsumerSpec(
    durable=handlers.RESUMED_CONSUMER,
    filter_subjects=(
        event_filter(HumanResolved.TYPE),
        event_filter(EmailVerified.TYPE),
    ),
    ack_wait_s=120,
    max_ack_pending=BROWSER_SLOTS,
    max_run_s=MAX_STEP_S,
)


def build(settings: ExecutorSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(PROFILE_READY, partial(handlers.on_profile_ready, svc))
    svc.consume(RESUMED, partial(handlers.on_resumed, svc))
    return svc
