"""provisioner's wiring: its durable consumers and their handlers."""

from functools import partial
from pathlib import Path

from contracts.states import Priority
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter, queued_filter
from runtime.service import Service
from services.provisioner import handlers
from services.provisioner.settings import ProvisionerSettings
from services.provisioner.state import FINISHING_EVENTS

MIGRATIONS = Path(__file__).parent / "migrations"

QUEUED = ConsumerSpec(
    durable=handlers.QUEUED_CONSUMER,
    filter_subjects=tuple(queued_filter(p) for p in Priority),
    ack_wait_s=60,
    max_ack_pending=8,
)

FINISHED = ConsumerSpec(
    durable=handlers.FINISHED_CONSUMER,
    filter_subjects=tuple(event_filter(t) for t in FINISHING_EVENTS),
    ack_wait_s=30,
    max_ack_pending=32,
)


def build(settings: ProvisionerSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(QUEUED, partial(handlers.on_task_queued, svc))
    svc.consume(FINISHED, partial(handlers.on_task_finished, svc))
    return svc
