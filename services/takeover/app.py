"""takeover's wiring: its consumers, the clock for timeouts, and the operator page."""

import logging
from functools import partial
from pathlib import Path

from starlette.applications import Starlette

from contracts.human import CaptchaDetected, HumanNeeded
from contracts.mail import EmailNotFound
from contracts.streams import ConsumerSpec
from contracts.subjects import event_filter
from contracts.users import UserDeleted
from runtime import http_tracing, metrics, periodic, web
from runtime.service import Service
from services.takeover import actions, api, handlers, pages, queue, seeker, store
from services.takeover.liveview import Viewer
from services.takeover.settings import TakeoverSettings
from services.takeover.state import TASK_FACTS

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
# The Redis order is rebuilt from the record this often (after a Redis restart, a missed update).
RECONCILE_EVERY_S = 30.0

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

TASKS = ConsumerSpec(
    durable=handlers.TASKS_CONSUMER,
    filter_subjects=tuple(event_filter(t) for t in TASK_FACTS),
    ack_wait_s=30,
    max_ack_pending=64,
)

# Account events' subjects are `user.deleted.<user id>`.
USERS = ConsumerSpec(
    durable=handlers.USERS_CONSUMER,
    filter_subjects=(f"{UserDeleted.TYPE}.*",),
    ack_wait_s=30,
    max_ack_pending=4,
)


def build(settings: TakeoverSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(TASKS, partial(handlers.on_task_fact, svc))
    svc.consume(HELP_WANTED, partial(handlers.on_help_wanted, svc))
    svc.consume(USERS, partial(handlers.on_user_deleted, svc))
    svc.background(partial(expire_overdue, svc))
    svc.background(partial(reconcile, svc))
    svc.background(partial(count_waiting, svc))
    return svc


async def count_waiting(svc: Service) -> None:
    """The operators' queue length, for Prometheus (autoapply_interventions_waiting)."""

    async def waiting() -> int:
        return int(await svc.redis.zcard(queue.QUEUE_KEY))

    await metrics.watch(metrics.INTERVENTIONS_WAITING, waiting)


async def expire_overdue(svc: Service) -> None:
    """A person had their time: the intervention times out and the task fails (human.timeout)."""
    assert isinstance(svc.settings, TakeoverSettings)

    async def once() -> None:
        for intervention_id in await store.overdue(svc.pool):
            await actions.time_out(svc, intervention_id)

    await periodic.rounds(svc.settings.timeout_check_s, once, "timeouts")


async def reconcile(svc: Service) -> None:
    async def once() -> None:
        await queue.rebuild(svc.redis, await store.open_ones(svc.pool))

    await periodic.rounds(RECONCILE_EVERY_S, once, "queue rebuild")


def http_app(svc: Service, viewer: Viewer) -> Starlette:
    app = Starlette(routes=[*api.ROUTES, *seeker.ROUTES, *pages.ROUTES])
    app.state.svc, app.state.viewer = svc, viewer
    # One server span per request or socket: a live view sends ten frames a second, none a span.
    http_tracing.instrument(app, svc.provider)
    return app


async def serve_http(svc: Service) -> None:
    assert isinstance(svc.settings, TakeoverSettings)
    viewer = Viewer()
    try:
        await web.serve(
            http_app(svc, viewer), svc.settings.http_port, host=str(svc.settings.listen_host), on_server=svc.serving
        )
    finally:
        await viewer.close()
