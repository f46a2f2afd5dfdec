"""The poll loop: every wait a handler recorded is looked at, every poll interval, until it ends.

No consumer slot is held while mail is awaited: the handler writes a row and acks; this loop
(in every instance; rows are claimed with SKIP LOCKED) reads the mailbox and, when the code,
the proof or the deadline comes, ends the wait and writes the outcome to the outbox in one
transaction, guarded so that only one look ever ends it.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg

from contracts.applications import ApplicationSubmitted
from contracts.envelope import Event
from contracts.mail import EmailVerificationNeeded
from runtime import periodic, telemetry
from runtime.google_oauth import refreshed
from runtime.service import Service
from services.verifier import outcomes, proof, store
from services.verifier.extract import PLATFORM_SENDERS, Found, Wanted, first_match
from services.verifier.mail.gmail import GmailMailbox
from services.verifier.mail.message import MailboxRevoked, MailMessage, MailQuery, MailSource, MailSourceError
from services.verifier.sealing import Sealer, SealError
from services.verifier.settings import VerifierSettings
from services.verifier.sources import gmail_tokens, open_source

log = logging.getLogger(__name__)

# Due rows are looked for at least this often, whatever the poll interval.
TICK_MAX_S = 1.0
# Waits looked at together by one instance per tick.
CLAIM_LIMIT = 16
# Each look is a step span in the task's trace: a poll of the mailbox for a code, or for proof.
LOOKS = {"verification": "mail poll", "proof": "proof poll"}
# A mailbox that cannot be reached does not end a wait before its deadline; these end it at once.
FINAL_PROBLEMS = ("no_mailbox", "mailbox_revoked")

SecondLook = Callable[[str, str], Awaitable[str | None]]
Opener = Callable[[store.Mailbox, VerifierSettings, Sealer], MailSource]


class Waiter:
    def __init__(
        self,
        svc: Service,
        settings: VerifierSettings,
        sealer: Sealer,
        look: SecondLook | None,
        opener: Opener = open_source,
    ) -> None:
        self._svc, self._settings, self._sealer, self._look = svc, settings, sealer, look
        self._open = opener

    async def run(self) -> None:
        # PostgreSQL away: the rows wait for us.
        await periodic.rounds(min(self._settings.verify_poll_s, TICK_MAX_S), self.once, "waits: claiming")

    async def once(self) -> int:
        s = self._settings
        waits = await store.claim_due(self._svc.pool, s.instance, s.verify_lease_s, CLAIM_LIMIT)
        await asyncio.gather(*(self._guarded(w) for w in waits))
        return len(waits)

    async def _guarded(self, wait: store.Wait) -> None:
        try:
            parent = telemetry.resumed(wait.traceparent)
            with telemetry.step(LOOKS[wait.kind], context=parent, task_id=str(wait.task_id), poll=wait.polls):
                await self._look_at(wait)
        except Exception as exc:  # one bad look must not stop the loop; the row is looked at again
            # The error's type only: its text may quote a mail, an address or a server's answer.
            log.error("waits: looking at %s %s failed: %s", wait.kind, wait.event_id, type(exc).__name__)
        finally:
            # Also when the service stops mid-look: the lease ends now, not when it runs out.
            await asyncio.shield(store.look_again(self._svc.pool, wait.event_id, self._settings.verify_poll_s))

    async def _look_at(self, wait: store.Wait) -> None:
        if wait.kind == "verification":
            await self._verification(wait)
        else:
            await self._proof(wait)

    async def _verification(self, wait: store.Wait) -> None:
        asked = EmailVerificationNeeded.model_validate_json(wait.event)
        senders = asked.sender_domains or PLATFORM_SENDERS.get(asked.platform, ())
        messages, problem = await self._read(wait, asked.recipient, asked.since, senders)
        wanted = Wanted(asked.kind, asked.platform, asked.company, allow_loopback=self._settings.mode == "sandbox")
        found = first_match(messages, wanted)
        if found is not None:
            await self._end(wait, "found", lambda conn: self._verified(conn, wait, asked, found))
        elif wait.last_look or problem in FINAL_PROBLEMS:
            event = outcomes.not_found(asked, wait.started_at, problem or "timeout")
            await self._end(wait, "not_found", lambda conn: self._publish(conn, event))

    async def _verified(
        self, conn: asyncpg.Connection, wait: store.Wait, asked: EmailVerificationNeeded, found: Found
    ) -> None:
        await store.mark_used(conn, wait.user_id, found.message.id, wait.task_id)
        await self._publish(conn, outcomes.verified(asked, found))

    async def _proof(self, wait: store.Wait) -> None:
        sent = ApplicationSubmitted.model_validate_json(wait.event)
        decided = await self._second_look(wait, sent)
        problem = None
        if decided.verdict is proof.Verdict.UNKNOWN:
            senders = PLATFORM_SENDERS.get(sent.platform or "", ())
            messages, problem = await self._read(wait, sent.email, sent.occurred_at, senders)
            decided = proof.from_mail(messages, sent.company, sent.job_title)
        if decided.verdict is not proof.Verdict.UNKNOWN or wait.last_look or problem in FINAL_PROBLEMS:
            await self._end(wait, decided.verdict.value, lambda conn: self._settled(conn, wait, sent, decided))

    async def _settled(
        self, conn: asyncpg.Connection, wait: store.Wait, sent: ApplicationSubmitted, decided: proof.Proof
    ) -> None:
        if decided.mail_id is not None:
            await store.mark_used(conn, wait.user_id, decided.mail_id, wait.task_id)
        await outcomes.settle(conn, self._svc.schema, self._settings.instance, sent, decided)

    async def _second_look(self, wait: store.Wait, sent: ApplicationSubmitted) -> proof.Proof:
        if wait.polls != 1 or self._look is None or not (sent.cdp_endpoint and sent.job_url):
            return proof.UNKNOWN
        text = await self._look(sent.cdp_endpoint, sent.job_url)
        return proof.second_look(text) if text else proof.UNKNOWN

    async def _read(
        self, wait: store.Wait, recipient: str | None, since: datetime, senders: tuple[str, ...]
    ) -> tuple[list[MailMessage], str | None]:
        """Unused messages that answer the query, newest first, or why there are none."""
        async with self._svc.pool.acquire() as conn:
            box = await store.mailbox_for(conn, wait.user_id, recipient)
        if box is None:
            return [], "no_mailbox"
        skew = timedelta(seconds=self._settings.clock_skew_s)
        query = MailQuery((recipient or box.address).strip().lower(), since - skew, senders)
        try:
            source = self._open(box, self._settings, self._sealer)
        except (MailboxRevoked, SealError, KeyError):
            return [], "mailbox_revoked"
        try:
            messages = await source.search(query)
            await self._keep_tokens(box, source)
        except MailboxRevoked:
            return [], "mailbox_revoked"
        except MailSourceError as exc:
            await store.note_error(self._svc.pool, wait.event_id, str(exc))
            return [], "mailbox_unreachable"
        finally:
            await source.close()
        async with self._svc.pool.acquire() as conn:
            fresh = await store.unused(conn, wait.user_id, [m.id for m in messages])
        return [m for m in messages if m.id in fresh], None

    async def _keep_tokens(self, box: store.Mailbox, source: object) -> None:
        """google-auth refreshed the access token during the look: keep the new one, sealed."""
        if not isinstance(source, GmailMailbox):
            return
        tokens = refreshed(source.credentials, gmail_tokens(box, self._sealer))
        if tokens is not None:
            async with self._svc.pool.acquire() as conn:
                await store.replace_secret(conn, self._sealer, box, tokens.as_json())

    async def _end(
        self, wait: store.Wait, outcome: str, write: Callable[[asyncpg.Connection], Awaitable[None]]
    ) -> None:
        async with self._svc.pool.acquire() as conn, conn.transaction():
            if await store.finish_wait(conn, wait.event_id, outcome):
                await write(conn)

    async def _publish(self, conn: asyncpg.Connection, event: Event) -> None:
        await outcomes.publish(conn, self._svc.schema, self._settings.instance, event)
