"""The events a wait or a submission ends in, written with their state change (outbox)."""

from datetime import UTC, datetime

import asyncpg

from contracts.applications import ApplicationCompleted, ApplicationFailed, ApplicationSubmitted
from contracts.envelope import Event
from contracts.human import HumanNeeded
from contracts.mail import EmailNotFound, EmailVerificationNeeded, EmailVerified
from contracts.states import TaskState
from runtime import ledger, outbox
from services.verifier import store
from services.verifier.extract import Found
from services.verifier.proof import Proof, Verdict

# A submission nobody can prove: a person looks at the site and the mailbox and decides.
UNPROVEN = "submission_unproven"


async def publish(conn: asyncpg.Connection, schema: str, instance: str, event: Event) -> None:
    await outbox.enqueue(conn, schema, event)
    await ledger.note(conn, event, instance)


def verified(asked: EmailVerificationNeeded, found: Found) -> EmailVerified:
    return EmailVerified(
        task_id=asked.task_id,
        user_id=asked.user_id,
        causation_id=asked.event_id,
        kind=asked.kind,
        value=found.value,
        resume_state=asked.resume_state,
    )


def not_found(asked: EmailVerificationNeeded, started_at: datetime, reason: str) -> EmailNotFound:
    return EmailNotFound(
        task_id=asked.task_id,
        user_id=asked.user_id,
        causation_id=asked.event_id,
        waited_s=round((datetime.now(UTC) - started_at).total_seconds(), 3),
        resume_state=asked.resume_state,
        reason=reason,
    )


async def settle(conn: asyncpg.Connection, schema: str, instance: str, sent: ApplicationSubmitted, p: Proof) -> None:
    """Stores the receipt and publishes the outcome; an unknown outcome goes to a person."""
    ids = {"task_id": sent.task_id, "user_id": sent.user_id, "causation_id": sent.event_id}
    event: Event
    if p.verdict is Verdict.COMPLETED:
        await store.save_result(conn, sent, "completed", p.evidence, p.confirmation_id, None)
        event = ApplicationCompleted(
            **ids,
            confirmation_id=p.confirmation_id,
            evidence=p.evidence,
            job_title=sent.job_title,
            company=sent.company,
            receipt_uri=sent.receipt_uri,
        )
    elif p.verdict is Verdict.FAILED:
        assert p.reason is not None
        await store.save_result(conn, sent, "failed", p.evidence, None, p.reason)
        event = ApplicationFailed(**ids, reason=p.reason, message=p.message)
    else:
        event = HumanNeeded(**ids, reason=UNPROVEN, page_url=sent.page_url, resume_state=TaskState.VERIFYING_SUBMISSION)
    await publish(conn, schema, instance, event)
