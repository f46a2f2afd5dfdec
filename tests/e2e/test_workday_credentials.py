"""The stored-credentials path through the real services: an account stored at intake reaches the
executor's own table sealed, a delete or the user's deletion takes it away, and a sealed value
that does not open ends in the dead letters; the password is in no log line, event or dead letter."""

import base64
import json
import uuid
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import nats
import pytest

from contracts.users import CredentialsStored
from runtime.codec import encode
from runtime.deadletter import list_dead_letters
from runtime.sealing import Sealer, credential_context, credentials_sealer
from tests.e2e.stack import Stack
from tests.intake.client import new_user
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
TENANT = "acme.wd5.myworkdayjobs.com"


async def executor_rows(stack: Stack, user_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(stack.dsn, server_settings={"search_path": "executor"})
    try:
        return list(await conn.fetch("SELECT * FROM credentials WHERE user_id = $1", UUID(user_id)))
    finally:
        await conn.close()


def sealer(stack: Stack) -> Sealer:
    return credentials_sealer(None, stack.children["executor"].env["AUTOAPPLY_SECRET_KEY"])


class Bus:
    """Every account event (`user.>`) as the stream carries it: the raw bytes."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def on(self, msg: Any) -> None:
        self.raw.append(msg.data)


async def test_a_stored_account_reaches_the_executor_sealed_and_goes_with_a_delete_and_the_user(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    password = f"Wd-{uuid.uuid4().hex[:10]}!Aa9"
    bus, client = Bus(), await nats.connect(stack.nats_url)
    await client.subscribe("user.>", cb=bus.on)
    try:
        user = await new_user(http)
        body = {"platform": "workday", "tenant": TENANT, "username": user.email, "password": password}
        assert (await http.put("/api/v1/credentials", headers=user.auth, json=body)).status_code == 201

        await eventually(lambda: _has_rows(stack, user.user_id, 1), timeout_s=20)
        [row] = await executor_rows(stack, user.user_id)
        sealed = bytes(row["password_sealed"])
        assert password.encode() not in sealed and row["origin"] == "user" and row["tenant"] == TENANT
        context = credential_context(UUID(user.user_id), "workday", TENANT, user.email)
        assert sealer(stack).open(sealed, context).decode() == password

        gone = await http.delete(
            "/api/v1/credentials", headers=user.auth, params={"platform": "workday", "tenant": TENANT}
        )
        assert gone.status_code == 200
        await eventually(lambda: _has_rows(stack, user.user_id, 0), timeout_s=20)

        assert (await http.put("/api/v1/credentials", headers=user.auth, json=body)).status_code == 201
        await eventually(lambda: _has_rows(stack, user.user_id, 1), timeout_s=20)
        assert (await http.delete("/api/v1/me", headers=user.auth)).status_code == 202
        await eventually(lambda: _has_rows(stack, user.user_id, 0), timeout_s=20)

        types = [json.loads(raw)["type"] for raw in bus.raw if user.user_id.encode() in raw]
        assert types.count("user.credentials_stored") == 2 and "user.credentials_deleted" in types
        assert not any(password.encode() in raw for raw in bus.raw)
        for name in ("intake", "executor"):
            assert password not in stack.children[name].log.read_text(errors="replace")
    finally:
        await client.drain()


async def test_a_sealed_password_that_does_not_open_ends_in_the_dead_letters_with_no_plaintext(
    stack: Stack,
) -> None:
    user_id, password = uuid.uuid4(), f"Other-key-{uuid.uuid4().hex[:8]}!1"
    elsewhere = Sealer.derived("another stack's secret key, 32 characters or more", b"autoapply user credentials v1")
    sealed = elsewhere.seal(password.encode(), credential_context(user_id, "lever", None, "someone@example.org"))
    event = CredentialsStored(
        task_id=user_id,
        user_id=user_id,
        platform="lever",
        username="someone@example.org",
        sealed_password=base64.b64encode(sealed).decode(),
    )
    client = await nats.connect(stack.nats_url)
    try:
        subject, payload, headers = encode(event)
        await client.jetstream().publish(subject, payload, headers=headers)
        js = client.jetstream()

        async def dead() -> bool:
            return any(str(user_id) in d.subject for d in await list_dead_letters(js, limit=1000))

        await eventually(dead, timeout_s=30)
        [letter] = [d for d in await list_dead_letters(js, limit=1000) if str(user_id) in d.subject]
        assert letter.consumer == "executor-credentials" and "does not open here" in letter.reason
        assert password.encode() not in letter.payload and password not in letter.reason
    finally:
        await client.drain()
    assert await executor_rows(stack, str(user_id)) == []


async def _has_rows(stack: Stack, user_id: str, count: int) -> bool:
    return len(await executor_rows(stack, user_id)) == count
