"""The poll loop in-process on a real PostgreSQL: Gmail tokens refreshed and kept sealed, mailboxes
that say no, cancelled waits, and two instances sharing the waits with each ended once."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.http import HttpMockSequence

from contracts.mail import EmailVerificationNeeded
from contracts.states import TaskState
from runtime import db
from runtime.google_oauth import GMAIL_READONLY, GmailTokens, OAuthClient, credentials
from runtime.service import Service
from services.verifier import store
from services.verifier.app import MIGRATIONS
from services.verifier.mail.gmail import GmailMailbox
from services.verifier.mail.message import MailMessage, MailQuery, MailSource, from_raw
from services.verifier.sealing import Sealer
from services.verifier.settings import VerifierSettings
from services.verifier.sources import gmail_tokens
from services.verifier.waits import Waiter
from tests.verifier import gmailfake, mails

pytestmark = pytest.mark.integration

CLIENT = OAuthClient("client-1", "secret-1", "https://app.example.org/callback")


def settings(dsn: str, tmp_path: Path, **extra: Any) -> VerifierSettings:
    return VerifierSettings(
        service="verifier",
        instance=extra.pop("instance", "verifier-t"),
        nats_url="nats://127.0.0.1:1",
        database_url=dsn,
        redis_url="redis://127.0.0.1:1/0",
        health_port=0,
        mode="sandbox",
        data_dir=tmp_path,
        secret_key="k" * 40,
        replicas=1,
        verify_poll_s=0.1,
        verify_timeout_s=30,
        clock_skew_s=0,
        **extra,
    )


@pytest.fixture
async def svc(fresh_database: str, tmp_path: Path) -> AsyncIterator[Service]:
    service = Service(settings(fresh_database, tmp_path), MIGRATIONS)
    service.pool = await db.create_pool(fresh_database, service.schema)
    await db.migrate(service.pool, service.schema, MIGRATIONS)
    try:
        yield service
    finally:
        await service.pool.close()


def needed(user: uuid.UUID, address: str) -> EmailVerificationNeeded:
    return EmailVerificationNeeded(
        task_id=uuid.uuid4(),
        user_id=user,
        kind="code",
        platform="greenhouse",
        company=mails.COMPANY,
        since=datetime.now(UTC) - timedelta(minutes=1),
        resume_state=TaskState.SUBMITTING,
        recipient=address,
    )


async def ask(svc: Service, user: uuid.UUID, address: str, timeout_s: float = 30) -> EmailVerificationNeeded:
    event = needed(user, address)
    async with svc.pool.acquire() as conn:
        await store.add_wait(conn, "verification", event, timeout_s)
    return event


async def outbox(svc: Service, subject_start: str) -> list[dict[str, Any]]:
    rows = await svc.pool.fetch("SELECT subject, payload FROM outbox WHERE subject LIKE $1", subject_start + "%")
    return [json.loads(bytes(r["payload"])) for r in rows]


async def test_a_refreshed_gmail_token_is_kept_sealed(svc: Service) -> None:
    sealer, user, address = Sealer.derived("k" * 40), uuid.uuid4(), "ada.gmail@example.org"
    old = GmailTokens("ya29.old", "1//refresh-1", datetime.now(UTC) - timedelta(minutes=1), (GMAIL_READONLY,))
    async with svc.pool.acquire() as conn:
        await store.connect_mailbox(conn, sealer, user, "gmail", address, {}, old.as_json())
    asked = await ask(svc, user, address)
    at = int(datetime.now(UTC).timestamp() * 1000)
    http = HttpMockSequence(
        [
            (gmailfake.OK, gmailfake.token("ya29.new")),
            (gmailfake.OK, gmailfake.listing(["m1"])),
            (gmailfake.OK, json.dumps(gmailfake.message("m1", mails.security_code(mails.CODE, to=address), at))),
        ]
    )

    def opener(box: store.Mailbox, s: VerifierSettings, sealer: Sealer) -> MailSource:
        return GmailMailbox(credentials(gmail_tokens(box, sealer), CLIENT), http=http)

    assert isinstance(svc.settings, VerifierSettings)
    assert await Waiter(svc, svc.settings, sealer, None, opener).once() == 1

    [verified] = await outbox(svc, f"email.verified.{asked.task_id}")
    assert verified["value"] == mails.CODE and verified["causation_id"] == str(asked.event_id)
    async with svc.pool.acquire() as conn:
        box = await store.mailbox_for(conn, user, address)
    assert box is not None and box.secret is not None and b"ya29.new" not in box.secret
    assert gmail_tokens(box, sealer).access_token == "ya29.new"


async def test_gmail_without_a_configured_client_ends_the_wait_for_a_person(svc: Service) -> None:
    sealer, user, address = Sealer.derived("k" * 40), uuid.uuid4(), "ada.nogmail@example.org"
    tokens = GmailTokens("ya29.a", "1//r", datetime.now(UTC) + timedelta(hours=1), (GMAIL_READONLY,))
    async with svc.pool.acquire() as conn:
        await store.connect_mailbox(conn, sealer, user, "gmail", address, {}, tokens.as_json())
    asked = await ask(svc, user, address)
    assert isinstance(svc.settings, VerifierSettings)
    await Waiter(svc, svc.settings, sealer, None).once()
    [not_found] = await outbox(svc, f"email.not_found.{asked.task_id}")
    assert not_found["reason"] == "mailbox_revoked"


async def test_a_disconnected_mailbox_and_a_cancelled_wait(svc: Service) -> None:
    sealer, user, address = Sealer.derived("k" * 40), uuid.uuid4(), "ada.gone@example.org"
    async with svc.pool.acquire() as conn:
        await store.connect_mailbox(conn, sealer, user, "sandbox", address, {"url": "http://127.0.0.1:1"}, None)
        assert await store.disconnect_mailbox(conn, user, "ADA.gone@example.org")
        assert not await store.disconnect_mailbox(conn, user, address)
    asked, cancelled = await ask(svc, user, address), await ask(svc, user, address)
    async with svc.pool.acquire() as conn:
        assert await store.cancel_waits(conn, cancelled.task_id, user) == 1
    assert isinstance(svc.settings, VerifierSettings)
    assert await Waiter(svc, svc.settings, sealer, None).once() == 1  # the cancelled one is not looked at
    [not_found] = await outbox(svc, f"email.not_found.{asked.task_id}")
    assert not_found["reason"] == "no_mailbox"
    assert await outbox(svc, f"email.not_found.{cancelled.task_id}") == []


async def test_a_cancel_before_the_wait_opens_it_ended(svc: Service) -> None:
    """task.cancelled may come before email.verification_needed (two consumers): the wait then
    opens ended, says nothing (no VERIFYING_EMAIL) and no one looks at the mailbox for it."""
    sealer, user, address = Sealer.derived("k" * 40), uuid.uuid4(), "ada.late@example.org"
    early = needed(user, address)
    async with svc.pool.acquire() as conn:
        async with conn.transaction():
            assert await store.cancel_waits(conn, early.task_id, user) == 0
        assert await store.add_wait(conn, "verification", early, 30) is False
        assert await conn.fetchval("SELECT outcome FROM waits WHERE event_id = $1", early.event_id) == "cancelled"
    assert isinstance(svc.settings, VerifierSettings)
    assert await Waiter(svc, svc.settings, sealer, None).once() == 0
    assert await outbox(svc, f"email.not_found.{early.task_id}") == []


async def test_a_wait_opening_while_its_cancel_commits_sees_the_cancel(svc: Service) -> None:
    """The wait takes the cancel's lock: it waits for the cancel's commit and then opens ended,
    instead of opening a wait the cancel could not see."""
    user, address = uuid.uuid4(), "ada.overlap@example.org"
    event = needed(user, address)

    async def open_wait() -> bool:
        async with svc.pool.acquire() as conn, conn.transaction():
            return await store.add_wait(conn, "verification", event, 30)

    async with svc.pool.acquire() as conn:
        cancelling = conn.transaction()
        await cancelling.start()
        await store.cancel_waits(conn, event.task_id, user)
        opening = asyncio.create_task(open_wait())
        await asyncio.sleep(0.3)
        assert not opening.done()
        await cancelling.commit()
    assert await asyncio.wait_for(opening, 10) is False
    open_waits = await svc.pool.fetchval(
        "SELECT count(*) FROM waits WHERE task_id = $1 AND state = 'waiting'", event.task_id
    )
    assert open_waits == 0


async def test_a_cancel_leaves_the_proof_of_a_submission_to_come(svc: Service) -> None:
    """A submission the verifier hears of went out before the cancel (the executor never clicks
    after one): its proof wait opens and stays open through the cancel, for the user's receipt."""
    user, address = uuid.uuid4(), "ada.proof@example.org"
    code = needed(user, address)
    proof = code.model_copy(update={"event_id": uuid.uuid4()})
    async with svc.pool.acquire() as conn:
        async with conn.transaction():
            await store.cancel_waits(conn, code.task_id, user)
        assert await store.add_wait(conn, "proof", proof, 30) is True
        async with conn.transaction():
            assert await store.cancel_waits(conn, code.task_id, user) == 0
        assert await conn.fetchval("SELECT state FROM waits WHERE event_id = $1", proof.event_id) == "waiting"


async def test_a_forgotten_user_leaves_no_cancel(svc: Service) -> None:
    user = uuid.uuid4()
    async with svc.pool.acquire() as conn, conn.transaction():
        await store.cancel_waits(conn, uuid.uuid4(), user)
        assert await store.forget_user(conn, user) >= 1
        assert await conn.fetchval("SELECT count(*) FROM cancelled WHERE user_id = $1", user) == 0


class StaticBox:
    """A mailbox that always holds one code for each address, slowly (so looks overlap)."""

    def __init__(self, address: str) -> None:
        self._message = from_raw(f"m-{address}", mails.security_code(mails.CODE, to=address), datetime.now(UTC))

    async def search(self, query: MailQuery) -> list[MailMessage]:
        await asyncio.sleep(0.05)
        return [self._message]

    async def close(self) -> None:
        return None


async def test_two_instances_share_the_waits_and_end_each_once(
    svc: Service, fresh_database: str, tmp_path: Path
) -> None:
    sealer = Sealer.derived("k" * 40)
    asked = []
    async with svc.pool.acquire() as conn:
        for n in range(24):
            user, address = uuid.uuid4(), f"ada.{n}@example.org"
            await store.connect_mailbox(conn, sealer, user, "sandbox", address, {"url": "http://127.0.0.1:1"}, None)
            asked.append(await ask(svc, user, address))

    def opener(box: store.Mailbox, s: VerifierSettings, sealer: Sealer) -> MailSource:
        return StaticBox(box.address)

    other = Service(settings(fresh_database, tmp_path, instance="verifier-u"), MIGRATIONS)
    other.pool = await db.create_pool(fresh_database, other.schema)
    try:
        assert isinstance(svc.settings, VerifierSettings) and isinstance(other.settings, VerifierSettings)
        a, b = Waiter(svc, svc.settings, sealer, None, opener), Waiter(other, other.settings, sealer, None, opener)
        looked = await asyncio.gather(a.once(), b.once())  # at most 16 each: both must take some
        again = await asyncio.gather(a.once(), b.once())  # every wait ended: nothing is due
    finally:
        await other.pool.close()
    assert sum(looked) == 24 and again == [0, 0]
    verified = await outbox(svc, "email.verified.")
    assert sorted(v["task_id"] for v in verified) == sorted(str(e.task_id) for e in asked)
    finished = await svc.pool.fetch("SELECT claimed_by, outcome FROM waits")
    assert {r["outcome"] for r in finished} == {"found"} and {r["claimed_by"] for r in finished} == {
        "verifier-t",
        "verifier-u",
    }
