"""verifier's handlers, one per consumed event; each applies its event once, atomically.

A handler never waits for mail: it records the wait (services/verifier/waits.py looks at it) or
decides at once, writes what follows to the outbox in the same transaction, and acks.
"""

import base64
import binascii
import logging
from contextlib import suppress

import asyncpg
import httpx
from nats.js.errors import NotFoundError

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.mail import EmailVerificationNeeded
from contracts.states import TaskState
from contracts.streams import EVENTS_STREAM
from contracts.tasks import TaskProgress
from contracts.users import MailboxConnected, MailboxDisconnected
from runtime import google_oauth, ledger, telemetry
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.inbox import handle_once
from runtime.service import Service
from services.verifier import outcomes, proof, store
from services.verifier.sealing import Sealer, SealError
from services.verifier.settings import VerifierSettings

log = logging.getLogger(__name__)

VERIFICATION_NEEDED_CONSUMER = "verifier-email"
SUBMITTED_CONSUMER = "verifier-submissions"
CANCELLED_CONSUMER = "verifier-cancelled"
USERS_CONSUMER = "verifier-users"
MAILBOXES_CONSUMER = "verifier-mailboxes"


def _settings(svc: Service) -> VerifierSettings:
    assert isinstance(svc.settings, VerifierSettings)
    return svc.settings


async def on_verification_needed(svc: Service, event: Event, delivery: Delivery) -> None:
    """The executor waits for a code or link: record the wait, say VERIFYING_EMAIL, ack."""
    assert isinstance(event, EmailVerificationNeeded)
    if event.since.tzinfo is None:
        raise PermanentError("email.verification_needed: since has no time zone")
    s = _settings(svc)

    async def apply(conn: asyncpg.Connection) -> None:
        opened = await store.add_wait(conn, "verification", event, s.verify_timeout_s, telemetry.traceparent())
        await ledger.note(conn, event, s.instance)
        if not opened:  # the user cancelled the task first: nobody needs its code
            return
        progress = TaskProgress(
            task_id=event.task_id, user_id=event.user_id, causation_id=event.event_id, state=TaskState.VERIFYING_EMAIL
        )
        await outcomes.publish(conn, svc.schema, s.instance, progress)

    await handle_once(svc.pool, VERIFICATION_NEEDED_CONSUMER, event, apply)


async def on_submitted(svc: Service, event: Event, delivery: Delivery) -> None:
    """An application was sent: a clear confirmation page decides now; otherwise wait for the mail."""
    assert isinstance(event, ApplicationSubmitted)
    s = _settings(svc)
    decided = proof.from_page(event)

    async def apply(conn: asyncpg.Connection) -> None:
        await ledger.note(conn, event, s.instance)
        if decided.verdict is proof.Verdict.UNKNOWN:
            await store.add_wait(conn, "proof", event, s.proof_timeout_s, telemetry.traceparent())
        else:
            await outcomes.settle(conn, svc.schema, s.instance, event, decided)

    await handle_once(svc.pool, SUBMITTED_CONSUMER, event, apply)


async def on_cancelled(svc: Service, event: Event, delivery: Delivery) -> None:
    """A cancelled task's verification waits end quietly, and any it asks for later opens ended:
    nobody needs its code any more. A proof wait goes on: the application went out before the
    cancel (the executor makes no click after one), and its receipt is the user's."""

    async def apply(conn: asyncpg.Connection) -> None:
        await store.cancel_waits(conn, event.task_id, event.user_id)

    await handle_once(svc.pool, CANCELLED_CONSUMER, event, apply)


async def on_user_deleted(svc: Service, sealer: Sealer, event: Event, delivery: Delivery) -> None:
    """A user asked to be forgotten: their mailboxes, secrets, waits and receipts go, and each
    Gmail grant is revoked at Google, as when the user disconnects it."""
    gone: list[store.Mailbox] = []

    async def apply(conn: asyncpg.Connection) -> None:
        gone.extend(await store.take_mailboxes(conn, event.user_id, None))
        await store.forget_user(conn, event.user_id)

    await handle_once(svc.pool, USERS_CONSUMER, event, apply)
    # After the commit: a revoke that fails leaves a grant Google expires on its own, never a row.
    for box in gone:
        if box.kind == "gmail":
            await _revoke(_settings(svc), sealer, box)


async def on_mailbox_event(svc: Service, sealer: Sealer, event: Event, delivery: Delivery) -> None:
    """A mailbox connected at intake is stored as it came, sealed; a disconnected one is deleted,
    and its Gmail grant revoked where Google still takes it."""
    if isinstance(event, MailboxConnected):
        await _connected(svc, sealer, event)
        # Stored: the stream keeps no copy of the sealed secret for its two weeks.
        with suppress(NotFoundError):  # deleted already, by the delivery before this one
            await svc.bus.js.delete_msg(EVENTS_STREAM, delivery.stream_seq)
    elif isinstance(event, MailboxDisconnected):
        await _disconnected(svc, sealer, event)
    else:
        raise PermanentError(f"{event.TYPE} on the mailboxes consumer")


async def _connected(svc: Service, sealer: Sealer, event: MailboxConnected) -> None:
    try:
        sealed = base64.b64decode(event.sealed_secret, validate=True)
        store.Mailbox(event.user_id, event.address.lower(), event.kind, {}, sealed).open_secret(sealer)
    except (binascii.Error, SealError, ValueError) as exc:  # another key, or bytes moved: no retry helps
        raise PermanentError(f"mailbox secret does not open here: {type(exc).__name__}") from None

    async def apply(conn: asyncpg.Connection) -> None:
        await store.store_sealed(conn, event.user_id, event.kind, event.address, dict(event.settings), sealed)

    await handle_once(svc.pool, MAILBOXES_CONSUMER, event, apply)


async def _disconnected(svc: Service, sealer: Sealer, event: MailboxDisconnected) -> None:
    gone: list[store.Mailbox] = []

    async def apply(conn: asyncpg.Connection) -> None:
        gone.extend(await store.take_mailboxes(conn, event.user_id, event.address))

    await handle_once(svc.pool, MAILBOXES_CONSUMER, event, apply)
    for box in gone:
        if box.kind == "gmail":
            await _revoke(_settings(svc), sealer, box)


async def _revoke(s: VerifierSettings, sealer: Sealer, box: store.Mailbox) -> None:
    try:
        token = box.open_secret(sealer).get("refresh_token")
    except SealError:
        return
    if not token:
        return
    async with httpx.AsyncClient(trust_env=False) as http:
        revoked = await google_oauth.revoke(str(token), s.google_revoke_uri, http)
    log.info("gmail grant of a disconnected mailbox %s", "revoked" if revoked else "not revoked (already gone?)")
