"""executor's wiring: its durable consumers and their handlers."""

import dataclasses
from functools import partial
from pathlib import Path

from contracts.human import HumanResolved
from contracts.mail import EmailVerified
from contracts.profiles import ProfileReady
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from contracts.tasks import TaskApproved, TaskCancelled, TaskQueued
from contracts.users import CredentialsDeleted, CredentialsStored, UserDeleted
from runtime.service import Service
from services.executor import handlers
from services.executor.context import Executor
from services.executor.settings import ExecutorSettings

MIGRATIONS = Path(__file__).parent / "migrations"
# The flow consumers' defaults; build() sizes them from the settings (browser_slots, flow_ack_wait_s).
BROWSER_SLOTS = 4
# A whole application, page after page, may take minutes; past this it is cancelled and retried.
MAX_STEP_S = 900
# Navigation retries (3), claims another instance holds, and waits for the account's browser while
# another task drives it (about 22 s a delivery, session.py) come back as naks: room for them all,
# up to the longest drive of another task (MAX_STEP_S).
FLOW_MAX_DELIVER = 48

QUEUED = ConsumerSpec(
    durable=handlers.QUEUED_CONSUMER,
    filter_subjects=(event_filter(TaskQueued.TYPE),),
    ack_wait_s=30,
    max_ack_pending=64,
)

PROFILE_READY = ConsumerSpec(
    durable=handlers.PROFILE_READY_CONSUMER,
    filter_subjects=(event_filter(ProfileReady.TYPE),),
    ack_wait_s=120,
    max_ack_pending=BROWSER_SLOTS,
    max_run_s=MAX_STEP_S,
    max_deliver=FLOW_MAX_DELIVER,
)

RESUMED = ConsumerSpec(
    durable=handlers.RESUMED_CONSUMER,
    filter_subjects=(
        event_filter(HumanResolved.TYPE),
        event_filter(EmailVerified.TYPE),
        event_filter(TaskApproved.TYPE),
    ),
    ack_wait_s=120,
    max_ack_pending=BROWSER_SLOTS,
    max_run_s=MAX_STEP_S,
    max_deliver=FLOW_MAX_DELIVER,
)

# The user's cancels: a few rows each, in any order with the task's task.queued.
CANCELLED = ConsumerSpec(
    durable=handlers.CANCELLED_CONSUMER,
    filter_subjects=(event_filter(TaskCancelled.TYPE),),
    ack_wait_s=30,
    max_ack_pending=16,
)

# The user's stored accounts (`user.credentials_*.<user id>`), one at a time so that a store and a
# delete of one account apply in their order.
CREDENTIALS = ConsumerSpec(
    durable=handlers.CREDENTIALS_CONSUMER,
    filter_subjects=(f"{CredentialsStored.TYPE}.*", f"{CredentialsDeleted.TYPE}.*"),
    ack_wait_s=30,
    max_ack_pending=1,
)

# Account deletions (`user.deleted.<user id>`): a few rows each.
USERS = ConsumerSpec(
    durable=handlers.USERS_CONSUMER,
    filter_subjects=(f"{UserDeleted.TYPE}.*",),
    ack_wait_s=60,
    max_ack_pending=4,
)


def flow_spec(spec: ConsumerSpec, settings: ExecutorSettings) -> ConsumerSpec:
    """A flow consumer sized by the settings: one message in flight per browser slot."""
    return dataclasses.replace(spec, max_ack_pending=settings.browser_slots, ack_wait_s=settings.flow_ack_wait_s)


def build(settings: ExecutorSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    x = Executor(svc, settings)
    svc.consume(QUEUED, partial(handlers.on_task_queued, x), workers=4)
    svc.consume(flow_spec(PROFILE_READY, settings), partial(handlers.on_profile_ready, x))
    svc.consume(flow_spec(RESUMED, settings), partial(handlers.on_resumed, x))
    svc.consume(CANCELLED, partial(handlers.on_task_cancelled, x))
    svc.consume(CREDENTIALS, partial(handlers.on_credentials, x), workers=1)
    svc.consume(USERS, partial(handlers.on_user_deleted, x))
    return svc
