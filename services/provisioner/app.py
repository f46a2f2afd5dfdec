"""provisioner's wiring: the provider, one durable consumer per priority, the finished consumer, the reaper."""

from functools import partial
from pathlib import Path

from contracts.states import Priority
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter, queued_filter
from contracts.users import AccountPaused, UserDeleted
from runtime.service import Service
from services.provisioner import devtools, handlers, pauses, reaper, sharing
from services.provisioner.display import LiveViews
from services.provisioner.handlers import Provisioner
from services.provisioner.providers import Provider
from services.provisioner.settings import ProvisionerSettings
from services.provisioner.state import FINISHING_EVENTS

MIGRATIONS = Path(__file__).parent / "migrations"

# A task over a limit comes back by delayed nak, each a delivery: waiting must not end in the dead
# letters. A day's wait at the slot poll takes well under this many deliveries with spacing and limits
# answering exactly when they free; a real error is still bounded by the retry policy, not by this.
QUEUED_MAX_DELIVER = 10_000
# A task waiting by delayed nak still counts toward its consumer's ack-pending budget, and the
# service sets that budget to instances x workers: so many workers, each mostly waiting. How many
# browsers start at once is bounded apart from this, by the host's browser slots.
QUEUED_WORKERS = 64


def queued_spec(priority: Priority, workers: int) -> ConsumerSpec:
    # One consumer per priority, so waiting low-priority tasks never use up the high ones' ack budget.
    return ConsumerSpec(
        durable=f"{handlers.QUEUED_CONSUMER}-{priority.value}",
        filter_subjects=(queued_filter(priority),),
        ack_wait_s=60,
        max_deliver=QUEUED_MAX_DELIVER,
        # No server-side backoff: the server would take its first entry as the ack wait and hand a
        # task that is still starting its browser to a second worker. Every nak names its delay.
        backoff_s=(),
        max_ack_pending=256,
    )


FINISHED = ConsumerSpec(
    durable=handlers.FINISHED_CONSUMER,
    filter_subjects=tuple(event_filter(t) for t in FINISHING_EVENTS),
    ack_wait_s=30,
    backoff_s=(),
    max_ack_pending=32,
)


# Account events' subjects are `user.deleted.<user id>`. Deleting a user stops their browsers and
# deletes their profiles one by one (AdsPower at one call a second): a minute covers many profiles.
USERS = ConsumerSpec(
    durable=handlers.USERS_CONSUMER,
    filter_subjects=(f"{UserDeleted.TYPE}.*",),
    ack_wait_s=60,
    max_ack_pending=4,
)


# A platform's pause of an account (`user.account_paused.<user id>`). Its handler holds the message
# of a task sent back by a daily limit until the pause ends, by delayed naks: as many deliveries as
# a task waiting in the queue may take.
PAUSES = ConsumerSpec(
    durable=pauses.PAUSES_CONSUMER,
    filter_subjects=(f"{AccountPaused.TYPE}.*",),
    ack_wait_s=60,
    max_deliver=QUEUED_MAX_DELIVER,
    backoff_s=(),
    max_ack_pending=256,
)


# Which tasks wait for a person, and which met a checkpoint: one message at a time, in stream order,
# so a checkpoint's pause is known before the wait it comes with (sharing.py). Each is one UPDATE.
WAITS = ConsumerSpec(
    durable=sharing.WAITS_CONSUMER,
    filter_subjects=sharing.WAITS_SUBJECTS,
    ack_wait_s=30,
    max_ack_pending=1,
)


def make_provider(settings: ProvisionerSettings) -> Provider:
    if settings.provider == "adspower":
        from services.provisioner.providers.adspower import AdsPowerProvider

        return AdsPowerProvider(
            settings.adspower_url, settings.adspower_api_key.get_secret_value(), group_id=settings.adspower_group_id
        )
    from services.provisioner.providers.local import LocalProvider

    live_views = LiveViews(settings.display, settings.novnc_port) if settings.headful else None
    return LocalProvider(settings.data_dir / "browsers", block_dns=settings.block_dns, live_views=live_views)


def make_relay(settings: ProvisionerSettings) -> devtools.Relay | None:
    public = settings.devtools_relay_public
    if public is None:
        return None
    key = devtools.derive_key(settings.secret_key.get_secret_value())
    return devtools.Relay(key, str(settings.devtools_relay_host), settings.devtools_relay_port, public)


def build(settings: ProvisionerSettings, provider: Provider | None = None) -> Service:
    svc = Service(settings, MIGRATIONS)
    provider = provider or make_provider(settings)
    relay = make_relay(settings)
    if relay is not None:
        # Every session this instance hands out (profile.ready, the store) is the relayed one.
        provider = devtools.RelayedProvider(provider, relay)
        svc.background(relay.run)
    p = Provisioner(svc, settings, provider)
    for priority in Priority:
        svc.consume(queued_spec(priority, QUEUED_WORKERS), partial(handlers.on_task_queued, p), QUEUED_WORKERS)
    svc.consume(FINISHED, partial(handlers.on_task_finished, p), 4)
    svc.consume(USERS, partial(handlers.on_user_deleted, p), 2)
    svc.consume(PAUSES, partial(pauses.on_account_paused, p), QUEUED_WORKERS)
    svc.consume(WAITS, partial(sharing.on_wait_changed, p), 1)
    svc.background(partial(reaper.run, p))
    svc.background(lambda: p.waiters.run(lambda: svc.stopping))
    return svc
