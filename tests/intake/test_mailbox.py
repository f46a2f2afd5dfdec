"""Connecting a mailbox, the whole path on real processes: intake's routes, Google's consent with
PKCE against a local token endpoint, Gmail's users.getProfile through google-api-python-client, the
sealed handover to a real verifier, google-auth refreshing the stored tokens, IMAP, disconnecting."""

import asyncio
import json
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import asyncpg
import httpx
import pytest
from google.auth.transport.requests import Request as GoogleRequest
from nats.js.errors import NotFoundError

from autoapply.local import ImapServer, NatsServer, free_port
from contracts.streams import EVENTS_STREAM
from runtime.bus import Bus
from runtime.google_oauth import GMAIL_READONLY, GmailTokens, OAuthClient, credentials
from services.verifier.sealing import Sealer, context
from tests.intake.client import new_user
from tests.intake.google_fake import GoogleFake
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, unique

pytestmark = pytest.mark.integration
IMAP_PASSWORD = "imap-" + secrets.token_hex(8)


@pytest.fixture
async def google() -> AsyncIterator[GoogleFake]:
    fake = await GoogleFake(
        "client-1.apps.example.org", "s3cr3t-" + secrets.token_hex(4), "", "jane.roe@example.org"
    ).start()
    fake.redirect_uri = "http://127.0.0.1:9/api/v1/mailbox/gmail/callback"
    yield fake
    await fake.stop()


@pytest.fixture
async def stack(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, google: GoogleFake
) -> AsyncIterator[tuple[Child, Child]]:
    secret = secrets.token_hex(32)
    oauth = {
        "AUTOAPPLY_GOOGLE_CLIENT_ID": google.client_id,
        "AUTOAPPLY_GOOGLE_CLIENT_SECRET": google.client_secret,
        "AUTOAPPLY_GOOGLE_REDIRECT_URI": google.redirect_uri,
        "AUTOAPPLY_GOOGLE_TOKEN_URI": f"{google.url}/token",
        "AUTOAPPLY_SECRET_KEY": secret,
    }
    intake_env = service_env("intake", nats.url, fresh_database, redis_url, tmp_path) | oauth
    intake_env["AUTOAPPLY_GMAIL_API_URL"] = f"{google.url}/"
    verifier_env = service_env("verifier", nats.url, fresh_database, redis_url, tmp_path) | oauth
    verifier_env["AUTOAPPLY_GOOGLE_REVOKE_URI"] = f"{google.url}/revoke"
    intake = Child("services.intake", intake_env, tmp_path / "intake.log")
    verifier = Child("services.verifier", verifier_env, tmp_path / "verifier.log")
    try:
        await asyncio.gather(wait_healthy(intake, 90), wait_healthy(verifier, 90))  # two starts on a busy machine
        yield intake, verifier
    finally:
        intake.stop()
        verifier.stop()


async def _verifier_boxes(dsn: str, user_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "verifier"})
    try:
        return list(await conn.fetch("SELECT * FROM mailboxes WHERE user_id = $1 ORDER BY kind", uuid.UUID(user_id)))
    finally:
        await conn.close()


async def test_gmail_and_imap_connect_sealed_and_disconnect_revoked(
    stack: tuple[Child, Child], google: GoogleFake, fresh_database: str, nats: NatsServer, imap_server: ImapServer
) -> None:
    intake, verifier = stack
    url = f"http://127.0.0.1:{intake.env['AUTOAPPLY_HTTP_PORT']}"
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        user = await new_user(http)
        started = await http.post("/api/v1/mailbox/gmail/start", headers=user.auth)
        assert started.status_code == 200, started.text
        consent = urlparse(started.json()["authorize_url"])
        asked = {k: v[0] for k, v in parse_qs(consent.query).items()}
        assert consent.netloc == "accounts.google.com" and asked["scope"] == GMAIL_READONLY
        assert (asked["access_type"], asked["code_challenge_method"], asked["client_id"]) == (
            "offline",
            "S256",
            google.client_id,
        )
        code = google.consent(asked["code_challenge"])

        forged = await http.get("/api/v1/mailbox/gmail/callback", params={"code": code, "state": "not-ours"})
        assert forged.status_code == 400 and forged.json()["error"] == "invalid_state"
        back = await http.get("/api/v1/mailbox/gmail/callback", params={"code": code, "state": asked["state"]})
        assert back.status_code == 200, back.text
        assert back.json() == {"connected": True, "kind": "gmail", "address": google.address}
        replay = await http.get("/api/v1/mailbox/gmail/callback", params={"code": code, "state": asked["state"]})
        assert replay.status_code == 400  # a state is used once

        # The IMAP account is tried before it is stored: a wrong password or a dead server is refused now.
        jane = f"jane-{secrets.token_hex(4)}@example.org"
        imap_server.add_user(jane, IMAP_PASSWORD)
        imap = {"host": imap_server.host, "port": imap_server.port, "username": jane, "password": IMAP_PASSWORD}
        imap["tls"] = False
        wrong = await http.put("/api/v1/mailbox/imap", headers=user.auth, json=imap | {"password": "not-it"})
        assert wrong.status_code == 422 and wrong.json()["error"] == "imap_login_refused", wrong.text
        dead = await http.put("/api/v1/mailbox/imap", headers=user.auth, json=imap | {"port": free_port()})
        assert dead.status_code == 422 and dead.json()["error"] == "imap_unreachable", dead.text
        put = await http.put("/api/v1/mailbox/imap", headers=user.auth, json=imap)
        assert put.status_code == 200 and IMAP_PASSWORD not in put.text

        async def both_stored() -> bool:
            return len(await _verifier_boxes(fresh_database, user.user_id)) == 2

        await eventually(both_stored, timeout_s=20)
        listed = await http.get("/api/v1/mailbox", headers=user.auth)
        assert sorted(b["kind"] for b in listed.json()["mailboxes"]) == ["gmail", "imap"]
        gmail_row, imap_row = await _verifier_boxes(fresh_database, user.user_id)
        shown = listed.text + json.dumps(
            [dict(r["settings"] and json.loads(r["settings"])) for r in (gmail_row, imap_row)]
        )
        assert IMAP_PASSWORD not in shown and not any(t in shown for t in google.refresh | google.access)

        # The verifier opens what intake sealed, and google-auth refreshes it at the token endpoint.
        box = Sealer.derived(intake.env["AUTOAPPLY_SECRET_KEY"])
        tokens = GmailTokens.from_json(
            json.loads(box.open(bytes(gmail_row["secret"]), context(user.user_id, "gmail", google.address)))
        )
        assert tokens.refresh_token in google.refresh
        stale = GmailTokens(
            tokens.access_token, tokens.refresh_token, datetime.now(UTC) - timedelta(minutes=1), tokens.scopes
        )
        client = OAuthClient(
            google.client_id, google.client_secret, google.redirect_uri, token_uri=f"{google.url}/token"
        )
        creds = credentials(stale, client)
        await asyncio.to_thread(creds.refresh, GoogleRequest())
        assert creds.token != tokens.access_token and creds.token in google.access
        password = json.loads(box.open(bytes(imap_row["secret"]), context(user.user_id, "imap", jane)))
        assert password == {"password": IMAP_PASSWORD}

        # The stream keeps no copy of a sealed secret once the verifier stored it.
        bus = Bus([nats.url], unique("test"))
        await bus.connect()
        try:
            with pytest.raises(NotFoundError):
                await bus.js.get_last_msg(EVENTS_STREAM, f"user.mailbox_connected.{user.user_id}")
        finally:
            await bus.close()

        gone = await http.delete("/api/v1/mailbox", headers=user.auth)
        assert gone.status_code == 200 and gone.json() == {"disconnected": 2}

        async def none_left() -> bool:
            return await _verifier_boxes(fresh_database, user.user_id) == []

        await eventually(none_left, timeout_s=20)
        await eventually(lambda: tokens.refresh_token in google.revoked, timeout_s=10)
        assert (await http.get("/api/v1/mailbox", headers=user.auth)).json()["mailboxes"] == []
        assert (await http.delete("/api/v1/mailbox", headers=user.auth)).status_code == 404
    logs = intake.tail() + verifier.tail()
    assert IMAP_PASSWORD not in logs and tokens.refresh_token not in logs and tokens.access_token not in logs
    assert "Traceback" not in logs


async def test_a_deleted_user_s_gmail_grant_is_revoked_at_google(
    stack: tuple[Child, Child], google: GoogleFake, fresh_database: str
) -> None:
    intake, verifier = stack
    url = f"http://127.0.0.1:{intake.env['AUTOAPPLY_HTTP_PORT']}"
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        user = await new_user(http)
        started = await http.post("/api/v1/mailbox/gmail/start", headers=user.auth)
        asked = {k: v[0] for k, v in parse_qs(urlparse(started.json()["authorize_url"]).query).items()}
        code = google.consent(asked["code_challenge"])
        back = await http.get("/api/v1/mailbox/gmail/callback", params={"code": code, "state": asked["state"]})
        assert back.status_code == 200, back.text

        async def stored() -> bool:
            return len(await _verifier_boxes(fresh_database, user.user_id)) == 1

        await eventually(stored, timeout_s=20)
        (row,) = await _verifier_boxes(fresh_database, user.user_id)
        box = Sealer.derived(intake.env["AUTOAPPLY_SECRET_KEY"])
        secret = box.open(bytes(row["secret"]), context(user.user_id, "gmail", google.address))
        refresh_token = GmailTokens.from_json(json.loads(secret)).refresh_token
        assert refresh_token not in google.revoked

        assert (await http.delete("/api/v1/me", headers=user.auth)).status_code == 202

        async def none_left() -> bool:
            return await _verifier_boxes(fresh_database, user.user_id) == []

        await eventually(none_left, timeout_s=20)
        await eventually(lambda: refresh_token in google.revoked, timeout_s=10)
    assert refresh_token not in intake.tail() + verifier.tail()
