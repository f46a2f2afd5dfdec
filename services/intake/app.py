"""intake's wiring: the read-model consumer and the HTTP API."""

import asyncio
import socket
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.streams import ConsumerSpec
from contracts.subjects import EVENT_SUBJECTS
from contracts.users import AccountPaused, CredentialsDeleted, CredentialsStored, UserDeleted
from runtime import asyncapi, http_tracing, web
from runtime.health import run_checks
from runtime.service import Service
from services.intake import api, credential_events, errors, handlers, live, mailer, pages, pauses, privacy, sockets
from services.intake.settings import IntakeSettings

MIGRATIONS = Path(__file__).parent / "migrations"

# Every event of every task, from the start of the stream (it rebuilds from history); types it
# does not know yet are acked. Up to a hundred events a fetch, folded in one transaction: a task's
# state is the fold of its history by occurred_at, whatever order and however often its events
# come, and a per-task lock serialises the folds of one task, so batches (and instances, and
# workers) need no order between them (handlers.py, docs/intake.md).
READ_MODEL_BATCH = 100
READ_MODEL = ConsumerSpec(
    durable=handlers.READ_MODEL_CONSUMER,
    filter_subjects=EVENT_SUBJECTS,
    ack_wait_s=30,
    max_deliver=8,
    backoff_s=(1, 2, 5, 10, 30, 60, 120),
    max_ack_pending=4 * READ_MODEL_BATCH,
    max_run_s=60,
    start_from="all",
    skip_unknown_types=True,
    fetch_batch=READ_MODEL_BATCH,
)


# Account deletions: any instance deletes intake's files and late rows of the user.
USERS = ConsumerSpec(
    durable=privacy.USERS_CONSUMER, filter_subjects=(f"{UserDeleted.TYPE}.*",), ack_wait_s=60, max_ack_pending=4
)

# A platform's pause of a user's account, shown on GET /api/v1/me.
PAUSES = ConsumerSpec(
    durable=pauses.PAUSES_CONSUMER, filter_subjects=(f"{AccountPaused.TYPE}.*",), ack_wait_s=30, max_ack_pending=4
)

# Stored accounts (`user.credentials_*.<user id>`): the executor's Workday sign-ups join the user's
# list. One at a time, so a store and a delete of the same account apply in their order.
CREDENTIALS = ConsumerSpec(
    durable=credential_events.CREDENTIALS_CONSUMER,
    filter_subjects=(f"{CredentialsStored.TYPE}.*", f"{CredentialsDeleted.TYPE}.*"),
    ack_wait_s=30,
    max_ack_pending=1,
)


def build(settings: IntakeSettings) -> Service:
    svc = Service(settings, MIGRATIONS)
    svc.consume(READ_MODEL, partial(handlers.project, svc), batch=partial(handlers.project_many, svc))
    svc.consume(USERS, partial(privacy.on_user_deleted, svc))
    svc.consume(PAUSES, partial(pauses.on_account_paused, svc))
    svc.consume(CREDENTIALS, partial(credential_events.on_credentials_event, svc), workers=1)
    svc.background(partial(privacy.retention, svc))
    svc.background(partial(mailer.run, svc))
    return svc


def http_app(svc: Service, feed: live.Feed) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        checks = await run_checks(svc.checks)
        return JSONResponse(
            {"healthy": all(checks.values()), "checks": checks}, status_code=200 if all(checks.values()) else 503
        )

    async def asyncapi_yaml(request: Request) -> Response:
        return Response(asyncapi.document_yaml(), media_type="application/yaml")

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/asyncapi.yaml", asyncapi_yaml),
            *api.routes(svc),
            *sockets.routes(svc, feed),
            *pages.routes(svc),
        ],
        exception_handlers=errors.handlers(),
    )
    http_tracing.instrument(app, svc.provider)
    return app


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other instances on this machine may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's own backlog
    except BaseException:
        sock.close()
        raise
    return sock


async def serve_http(svc: Service) -> None:
    assert isinstance(svc.settings, IntakeSettings)
    feed = live.Feed(lambda: svc.bus)
    feeding = asyncio.create_task(feed.run())
    host, port = str(svc.settings.listen_host), svc.settings.http_port
    try:
        await web.serve(
            http_app(svc, feed),
            port,
            host,
            on_server=svc.serving,
            sockets=[listening_socket(host, port)] if svc.settings.http_reuse_port else None,
            access_log=False,  # the server span says what an access line would, without formatting one per request
            http="httptools",  # the C parser: h11's pure-Python parsing was a tenth of a request's time
            ws="auto",  # uvicorn's own choice, as intake's live updates always ran on
        )
    finally:
        feeding.cancel()
        await asyncio.gather(feeding, return_exceptions=True)
