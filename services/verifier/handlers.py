"""verifier's handlers, one per consumed event; each applies its event once, atomically.

A handler never waits for mail: it records the wait (services/verifier/waits.py looks at it) or
decides at once, writes what follows to the outbox in the same transaction, and acks.
"""

import asyncpg

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.mail import EmailVerificationNeeded
from contracts.states import TaskState
from contracts.tasks import TaskProgress
from runtime import ledger
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.inbox import handle_once
from runtime.service import Service
from services.verifier import outcomes, proof, store
from services.verifier.settings import VerifierSettings

VERIFICATION_NEEDED_CONSUMER = "verifier-email"
SUBMITTED_CONSUMER = "verifier-submissions"
CANCELLED_CONSUMER = "verifier-cancelled"
USERS_CONSUMER = "verifier-users"


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
        await store.add_wait(conn, "verification", event, s.verify_timeout_s)
        await ledger.note(conn, event, s.instance)
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
            await store.add_wait(conn, "proof", event, s.proof_timeout_s)
        else:
            await outcomes.settle(conn, svc.schema, s.instance, event, decided)

    await handle_once(svc.pool, SUBMITTED_CONSUMER, event, apply)


async def on_cancelled(svc: Service, event: Event, delivery: Delivery) -> None:
    """A cancelled task's waits end quietly: nobody needs its code any more."""

    async def apply(conn: asyncpg.Connection) -> None:
        await store.cancel_waits(conn, event.task_id)

    await handle_once(svc.pool, CANCELLED_CONSUMER, event, apply)


async def on_user_deleted(svc: Service, event: Event, delivery: Delivery) -> None:
    """A user asked to be forgotten: their mailboxes, secrets, waits and receipts go."""

    async def apply(conn: asyncpg.Connection) -> None:
        await store.forget_user(conn, event.user_id)

    await handle_once(svc.pool, USERS_CONSUMER, event, apply)
