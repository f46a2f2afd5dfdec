"""Email verification end to end, through the services alone: a mail that never comes ends in
email.not_found at the verifier's timeout (20 s in the e2e stack) and goes to a person. The code
that does come (found in the user's mailbox by the verifier, typed in by the executor, one
submission) is test_trace's application: one application proves both.

The mailbox is connected in the verifier's store directly (intake's mailbox routes are another
piece of work); the sandbox's `lose_mail` flag stands for the mail that never comes."""

import time
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from contracts.applications import ApplicationSubmitted
from contracts.mail import EmailNotFound, EmailVerificationNeeded, EmailVerified
from services.verifier import store as verifier_store
from services.verifier.sealing import Sealer
from tests.e2e.stack import Stack, Watcher, applicant
from tests.intake.client import User
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
TIMEOUT_S = 20.0  # AUTOAPPLY_VERIFY_TIMEOUT_S of the e2e stack (tests/e2e/stack.py)


async def connect_mailbox(stack: Stack, user: User) -> None:
    """The user's mailbox is the sandbox's (the mailbox routes are intake's; this is their effect)."""
    conn = await asyncpg.connect(stack.dsn, server_settings={"search_path": "verifier"})
    try:
        sealer = Sealer.derived(stack.children["verifier"].env["AUTOAPPLY_SECRET_KEY"])
        where = {"url": stack.sandbox.http}
        await verifier_store.connect_mailbox(conn, sealer, UUID(user.user_id), "sandbox", user.email, where, None)
    finally:
        await conn.close()


async def start_task(http: httpx.AsyncClient, user: User, url: str) -> UUID:
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": url})
    assert made.status_code == 201, made.text
    return UUID(made.json()["task_id"])


async def with_a_person(http: httpx.AsyncClient, user: User, task_id: UUID) -> bool:
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    return task["state"] in ("NEED_HUMAN", "HUMAN_TAKEOVER")


def submissions(stack: Stack, job: dict[str, Any], user: User) -> list[dict[str, Any]]:
    return stack.sandbox.submissions(site=job["site"], job_id=job["job_id"], email=user.email)


async def test_a_code_that_never_arrives_ends_in_email_not_found_at_the_timeout(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = stack.sandbox.job("greenhouse", 4)
    stack.sandbox.set_flags("greenhouse", job["job_id"], email_verify=True, lose_mail=True)
    user, _ = await applicant(http, job)
    await connect_mailbox(stack, user)
    task_id = await start_task(http, user, job["url"])
    try:
        await watcher.wait_for(task_id, EmailVerificationNeeded.TYPE, timeout_s=90)
        asked_at = time.monotonic()
        missing = await watcher.wait_for(task_id, EmailNotFound.TYPE, timeout_s=TIMEOUT_S + 15)
        waited = time.monotonic() - asked_at
        await eventually(lambda: with_a_person(http, user, task_id), timeout_s=20)
    except AssertionError:
        print(stack.logs())
        raise
    finally:
        stack.sandbox.clear_flags("greenhouse", job["job_id"])
    assert isinstance(missing, EmailNotFound) and missing.reason == "timeout", missing.model_dump_json()
    assert TIMEOUT_S - 2 <= waited <= TIMEOUT_S + 15 and missing.waited_s >= TIMEOUT_S - 1
    assert watcher.of(task_id, EmailVerified.TYPE) == [] and submissions(stack, job, user) == []
    assert watcher.of(task_id, ApplicationSubmitted.TYPE) == []
