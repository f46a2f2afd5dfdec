"""The verifier service as a real process, on a real nats-server, PostgreSQL, Redis and Dovecot, with
the sandbox's own mail: codes and links found and used, waits that end in time, proofs and receipts."""

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aioimaplib
import asyncpg
import pytest
from playwright.async_api import async_playwright

from autoapply.local import ChromiumServer, ImapServer, NatsServer, PostgresServer, RedisServer
from contracts.applications import ApplicationSubmitted, SentField
from contracts.mail import EmailVerificationNeeded
from contracts.states import TaskState
from contracts.tasks import TaskCancelled
from contracts.users import UserDeleted
from runtime.bus import Bus
from services.verifier import store
from services.verifier.sealing import Sealer
from tests.processes import Child
from tests.sandbox.harness import Sandbox
from tests.support import eventually, unique
from tests.verifier import mails
from tests.verifier.conftest import IMAP_PASSWORD, unique_address
from tests.verifier.running import Watcher, start_verifier
from tests.verifier.sites import create_workday_account, greenhouse_form, post_greenhouse

pytestmark = pytest.mark.integration

TIMEOUT_S = 6.0  # running.FAST
PROOF_TIMEOUT_S = 4.0


@pytest.fixture(scope="module")
def verifier_process(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[tuple[Child, str, str]]:
    """One verifier for the module (it starts in seconds, but seconds add up), on a nats-server of its own."""
    home = tmp_path_factory.mktemp("verifier-service")
    server = NatsServer(home / "nats")
    server.start()
    dsn = postgres_server.ensure_database(f"t_{uuid.uuid4().hex[:16]}")
    child = None
    try:
        child = start_verifier(server.url, dsn, redis_server.url_for(redis_server.databases - 1), home)
        yield child, server.url, dsn
    finally:
        code = child.stop() if child is not None else None
        server.stop()
    assert child is not None
    log = child.log.read_text(errors="replace")
    assert code == 0, log[-3000:]  # a clean stop on SIGTERM
    assert "@example.org" not in log and mails.CODE not in log  # no personal data in the log


@pytest.fixture
async def world(verifier_process: tuple[Child, str, str]) -> AsyncIterator[tuple[Bus, Watcher, asyncpg.Connection]]:
    child, nats_url, dsn = verifier_process
    bus, watcher = Bus([nats_url], unique("test")), await Watcher.start(nats_url)
    await bus.connect()
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "verifier"})
    try:
        yield bus, watcher, conn
    finally:
        await conn.close()
        await watcher.close()
        await bus.close()
    assert child.proc.poll() is None, child.tail()


@pytest.fixture
def sealer(verifier_process: tuple[Child, str, str]) -> Sealer:
    return Sealer.derived(verifier_process[0].env["AUTOAPPLY_SECRET_KEY"])


async def connect_sandbox(conn: asyncpg.Connection, sealer: Sealer, user: UUID, address: str, site: Sandbox) -> None:
    await store.connect_mailbox(conn, sealer, user, "sandbox", address, {"url": site.http}, None)


def needed(user: UUID, address: str, **extra: Any) -> EmailVerificationNeeded:
    fields: dict[str, Any] = {
        "task_id": uuid.uuid4(),
        "user_id": user,
        "kind": "code",
        "platform": "greenhouse",
        "since": datetime.now(UTC),
        "resume_state": TaskState.SUBMITTING,
        "recipient": address,
    }
    return EmailVerificationNeeded(**(fields | extra))


def submitted(task: UUID, user: UUID, **extra: Any) -> ApplicationSubmitted:
    fields: dict[str, Any] = {
        "task_id": task,
        "user_id": user,
        "attempt_id": f"attempt-{task}",
        "page_url": "http://127.0.0.1/greenhouse/x/jobs/1",
        "receipt_uri": f"{user}/receipts/{task}.json",
        "fields": (SentField(label="First Name", value="Ada", provenance="profile"),),
        "files": (f"{user}/resumes/resume.pdf",),
    }
    return ApplicationSubmitted(**(fields | extra))


async def test_greenhouse_security_code_from_the_sandbox_is_found_used_and_the_application_completes(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    job = sandbox_site.get("/_admin/jobs", site="greenhouse")["jobs"][11]  # asks for the security code
    form = greenhouse_form(sandbox_site, job, address)
    for raw in (mails.security_code("OLDC0DE1", company=job["company"], to=address), mails.job_alert(to=address)):
        send_to_sink(sandbox_site, address, raw)  # an older code, and a job alert, before the click
    await asyncio.sleep(1.0)

    asked = needed(user, address, company=job["company"], since=datetime.now(UTC))
    assert post_greenhouse(sandbox_site, job, form).status_code == 428  # the sandbox mails the code
    send_to_sink(sandbox_site, address, mails.security_code("0THERJ0B", company="Contoso Analytics", to=address))
    await bus.publish(asked)

    _, progress = await watcher.wait_for(asked.task_id, "task.progress")
    _, verified = await watcher.wait_for(asked.task_id, "email.verified")
    [code_mail] = [
        m
        for m in sandbox_site.get("/_admin/mailbox", to=address)["messages"]
        if m["id"] and m["mail_from"] == "no-reply@us.greenhouse-mail.io"
    ]
    sent_code = re.search(r"application: ([A-Za-z0-9]{8})", code_mail["text"])
    assert progress.state is TaskState.VERIFYING_EMAIL
    assert sent_code is not None and verified.value == sent_code.group(1)
    assert verified.resume_state is TaskState.SUBMITTING and verified.causation_id == asked.event_id

    # The executor types the code and resubmits; the sandbox accepts and mails its confirmation.
    accepted = post_greenhouse(sandbox_site, job, form | {"security_code": verified.value})
    assert accepted.status_code == 200 and "confirmation" in accepted.json()["redirect"]
    sent = submitted(
        asked.task_id,
        user,
        email=address,
        platform="greenhouse",
        company=job["company"],
        job_title=job["title"],
        page_url=job["url"],
    )  # the page said nothing clear
    await bus.publish(sent)

    _, completed = await watcher.wait_for(asked.task_id, "application.completed")
    assert completed.evidence == ("confirmation_email",)
    row = await conn.fetchrow("SELECT * FROM application_results WHERE task_id = $1", asked.task_id)
    assert row is not None and row["outcome"] == "completed" and row["company"] == job["company"]
    assert row["job_title"] == job["title"] and row["evidence"] == ["confirmation_email"]
    assert json.loads(row["sent_fields"]) == [{"label": "First Name", "value": "Ada", "provenance": "profile"}]
    assert len(sandbox_site.submissions(site="greenhouse", job=job["job_id"], email=address)) == 1
    used = await conn.fetchval("SELECT count(*) FROM used_messages WHERE user_id = $1", user)
    assert used == 2  # the code's mail and the confirmation: neither proves anything again


async def test_workday_verification_link_from_the_sandbox_is_found_and_opens(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    job = sandbox_site.get("/_admin/jobs", site="workday")["jobs"][2]
    asked = needed(
        user, address, kind="link", platform="workday", company=job["company"], resume_state=TaskState.EXECUTING_RPA
    )
    assert create_workday_account(sandbox_site, job, address).status_code == 200
    await bus.publish(asked)

    _, verified = await watcher.wait_for(asked.task_id, "email.verified")
    link = verified.value
    assert link.startswith(sandbox_site.http + f"/workday/{job['org']}/External/activate/")
    opened = sandbox_site.client.get(link, follow_redirects=True)
    assert opened.status_code == 200 and "Account Verified" in opened.text


async def test_a_missing_mail_ends_in_not_found_within_the_timeout(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    send_to_sink(sandbox_site, address, mails.job_alert(to=address))  # mail, but no code
    asked = needed(user, address, company=mails.COMPANY)
    began = time.monotonic()
    await bus.publish(asked)

    seen_at, not_found = await watcher.wait_for(asked.task_id, "email.not_found", timeout_s=TIMEOUT_S + 10)
    assert TIMEOUT_S - 0.5 <= seen_at - began <= TIMEOUT_S + 5
    assert not_found.reason == "timeout" and not_found.waited_s >= TIMEOUT_S - 0.5
    assert watcher.of(asked.task_id, "email.verified") == []
    polls = await conn.fetchval("SELECT polls FROM waits WHERE event_id = $1", asked.event_id)
    assert polls >= 10  # looked at every 0.25 s, not once


async def test_without_a_mailbox_a_person_is_asked_at_once(world: tuple[Bus, Watcher, asyncpg.Connection]) -> None:
    bus, watcher, _ = world
    asked = needed(uuid.uuid4(), unique_address())
    began = time.monotonic()
    await bus.publish(asked)
    seen_at, not_found = await watcher.wait_for(asked.task_id, "email.not_found")
    assert not_found.reason == "no_mailbox" and seen_at - began < TIMEOUT_S


async def test_an_imap_mailbox_with_a_sealed_password(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, imap_server: ImapServer
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    imap_server.add_user(address, IMAP_PASSWORD)
    settings = {"host": imap_server.host, "port": imap_server.port, "tls": False}
    await store.connect_mailbox(conn, sealer, user, "imap", address, settings, {"password": IMAP_PASSWORD})
    stored = await conn.fetchrow("SELECT settings::text AS s, secret FROM mailboxes WHERE user_id = $1", user)
    assert IMAP_PASSWORD.encode() not in stored["secret"] and IMAP_PASSWORD not in stored["s"]

    asked = needed(user, address, company=mails.COMPANY)
    await bus.publish(asked)
    await asyncio.sleep(0.5)
    await append(imap_server, address, mails.security_code(mails.CODE, to=address))

    _, verified = await watcher.wait_for(asked.task_id, "email.verified")
    assert verified.value == mails.CODE
    used = await conn.fetchval("SELECT count(*) FROM used_messages WHERE user_id = $1", user)
    assert used == 1


async def test_pages_decide_at_once_and_an_unproven_submission_goes_to_a_person(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    confirmed = submitted(
        uuid.uuid4(),
        user,
        confirmation_text="Application submitted! Thanks for applying.",
        page_url="http://127.0.0.1/careers/jobs/x/thanks?ref=CR-00AB12CD34EF",
        company="Acme",
    )
    closed = submitted(uuid.uuid4(), user, confirmation_text="This job is no longer accepting applications.")
    unclear = submitted(uuid.uuid4(), user, email=address, company="Acme", confirmation_text="Acme careers")
    began = time.monotonic()
    for event in (confirmed, closed, unclear):
        await bus.publish(event)

    _, completed = await watcher.wait_for(confirmed.task_id, "application.completed")
    _, failed = await watcher.wait_for(closed.task_id, "application.failed")
    seen_at, person = await watcher.wait_for(unclear.task_id, "human.needed", timeout_s=PROOF_TIMEOUT_S + 10)
    assert completed.confirmation_id == "CR-00AB12CD34EF"
    assert failed.reason == "job_closed"
    assert person.reason == "submission_unproven" and seen_at - began >= PROOF_TIMEOUT_S - 0.5
    rows = await conn.fetch(
        "SELECT task_id, outcome, reason FROM application_results WHERE user_id = $1 ORDER BY outcome", user
    )
    assert [(r["task_id"], r["outcome"], r["reason"]) for r in rows] == [
        (confirmed.task_id, "completed", None),
        (closed.task_id, "failed", "job_closed"),
    ]


async def test_a_redelivered_event_starts_no_second_wait(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    asked = needed(user, address, company=mails.COMPANY)
    await bus.publish(asked)
    await watcher.wait_for(asked.task_id, "task.progress")
    # The same event again with a new message id, as a dead-letter replay sends it.
    await bus.publish_raw(
        f"email.verification_needed.{asked.task_id}",
        asked.model_dump_json().encode(),
        {"Nats-Msg-Id": str(uuid.uuid4())},
    )
    send_to_sink(sandbox_site, address, mails.security_code(mails.CODE, to=address))
    await watcher.wait_for(asked.task_id, "email.verified")
    await asyncio.sleep(1.0)
    assert len(watcher.of(asked.task_id, "email.verified")) == 1
    assert len(watcher.of(asked.task_id, "task.progress")) == 1
    assert await conn.fetchval("SELECT count(*) FROM waits WHERE task_id = $1", asked.task_id) == 1


def send_to_sink(site: Sandbox, address: str, raw: bytes) -> None:
    import smtplib

    with smtplib.SMTP("127.0.0.1", site.smtp_port, timeout=10) as smtp:
        smtp.sendmail("bounce@mailer.example.net", [address], raw)


async def append(server: ImapServer, address: str, raw: bytes) -> None:
    client = aioimaplib.IMAP4(server.host, server.port)
    await client.wait_hello_from_server()
    try:
        assert (await client.login(address, IMAP_PASSWORD)).result == "OK"
        assert (await client.append(raw, mailbox="INBOX")).result == "OK"
    finally:
        await client.logout()


async def test_after_a_crash_the_already_applied_marker_on_a_second_look_is_proof(
    world: tuple[Bus, Watcher, asyncpg.Connection],
    sandbox_site: Sandbox,
    chromium_server_factory: Callable[..., ChromiumServer],
) -> None:
    bus, watcher, _ = world
    user, address = uuid.uuid4(), unique_address()
    job = sandbox_site.get("/_admin/jobs", site="linkedin")["jobs"][3]
    sandbox_site.post("/_admin/accounts", {"site": "linkedin", "email": address, "password": "Sandbox-pass-1"})
    browser = chromium_server_factory()  # the task's browser, signed in, as the provisioner keeps it
    async with async_playwright() as pw:
        attached = await pw.chromium.connect_over_cdp(browser.url)
        page = await attached.contexts[0].new_page()
        await page.goto(f"{sandbox_site.http}/linkedin/login")
        await page.fill("#username", address)
        await page.fill("#password", "Sandbox-pass-1")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        await page.close()
    sandbox_site.set_flags("linkedin", job["job_id"], applied=[address])  # the click before the crash landed

    sent = submitted(
        uuid.uuid4(),
        user,
        platform="linkedin",
        recovered=True,
        cdp_endpoint=browser.url,
        job_url=job["url"],
        page_url=job["url"],
        company=job["company"],
    )
    await bus.publish(sent)

    _, completed = await watcher.wait_for(sent.task_id, "application.completed", timeout_s=30)
    assert completed.evidence == ("already_applied_marker",)
    assert browser.running()  # the browser is the provisioner's: looked at, never closed


async def test_a_wait_survives_a_crashed_verifier(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, sandbox_site: Sandbox
) -> None:
    first = start_verifier(nats.url, fresh_database, redis_url, tmp_path / "first")
    bus, watcher = Bus([nats.url], unique("test")), await Watcher.start(nats.url)
    second = None
    conn = await asyncpg.connect(fresh_database, server_settings={"search_path": "verifier"})
    try:
        await bus.connect()
        user, address = uuid.uuid4(), unique_address()
        await connect_sandbox(conn, Sealer.derived(first.env["AUTOAPPLY_SECRET_KEY"]), user, address, sandbox_site)
        asked = needed(user, address, company=mails.COMPANY)
        await bus.publish(asked)
        await watcher.wait_for(asked.task_id, "task.progress")  # the wait is a row now
        assert first.kill() == -9  # SIGKILL, as a crash would

        send_to_sink(sandbox_site, address, mails.security_code(mails.CODE, to=address))
        second = start_verifier(nats.url, fresh_database, redis_url, tmp_path / "second", instance=2)
        _, verified = await watcher.wait_for(asked.task_id, "email.verified")
        assert verified.value == mails.CODE
        assert (
            await conn.fetchval("SELECT claimed_by FROM waits WHERE event_id = $1", asked.event_id)
            == (second.env["AUTOAPPLY_INSTANCE"])
        )
    finally:
        await conn.close()
        await watcher.close()
        await bus.close()
        first.stop()
        if second is not None:
            second.stop()


async def test_a_cancelled_task_stops_waiting(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    asked = needed(user, address, company=mails.COMPANY)
    await bus.publish(asked)
    await watcher.wait_for(asked.task_id, "task.progress")
    await bus.publish(TaskCancelled(task_id=asked.task_id, user_id=user))

    await eventually(lambda: _is(_outcome(conn, asked.event_id), "cancelled"))
    send_to_sink(sandbox_site, address, mails.security_code(mails.CODE, to=address))  # too late: nobody waits
    await asyncio.sleep(1.0)
    assert watcher.of(asked.task_id, "email.verified") == [] and watcher.of(asked.task_id, "email.not_found") == []


async def test_a_task_cancelled_before_its_code_is_asked_for_is_never_waited_for(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    """The cancel comes first (another consumer, another moment): the wait opens ended, and the
    code that then arrives is never looked for nor handed on."""
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    asked = needed(user, address, company=mails.COMPANY)
    await bus.publish(TaskCancelled(task_id=asked.task_id, user_id=user))

    async def recorded() -> bool:
        return bool(await conn.fetchval("SELECT true FROM cancelled WHERE task_id = $1", asked.task_id))

    await eventually(recorded)
    send_to_sink(sandbox_site, address, mails.security_code(mails.CODE, to=address))
    await bus.publish(asked)

    await eventually(lambda: _is(_outcome(conn, asked.event_id), "cancelled"))
    await asyncio.sleep(1.0)
    assert watcher.of(asked.task_id, "task.progress") == []
    assert watcher.of(asked.task_id, "email.verified") == [] and watcher.of(asked.task_id, "email.not_found") == []


async def _is(value: Awaitable[str | None], wanted: str) -> bool:
    return await value == wanted


async def _outcome(conn: asyncpg.Connection, event_id: uuid.UUID) -> str | None:
    value = await conn.fetchval("SELECT outcome FROM waits WHERE event_id = $1", event_id)
    return str(value) if value else None


async def test_a_deleted_user_is_forgotten(
    world: tuple[Bus, Watcher, asyncpg.Connection], sealer: Sealer, sandbox_site: Sandbox
) -> None:
    bus, watcher, conn = world
    user, address = uuid.uuid4(), unique_address()
    await connect_sandbox(conn, sealer, user, address, sandbox_site)
    confirmed = submitted(uuid.uuid4(), user, confirmation_text="Thank you for applying.")
    waiting = needed(user, address, company=mails.COMPANY)
    await bus.publish(confirmed)
    await bus.publish(waiting)
    await watcher.wait_for(confirmed.task_id, "application.completed")
    await watcher.wait_for(waiting.task_id, "task.progress")

    await bus.publish(UserDeleted(task_id=user, user_id=user))

    async def left() -> int:
        counts = [
            await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", user)
            for table in ("mailboxes", "waits", "application_results", "task_ledger")
        ]
        return sum(counts)

    await eventually(lambda: _zero(left()))


async def _zero(value: Awaitable[int]) -> bool:
    return await value == 0
