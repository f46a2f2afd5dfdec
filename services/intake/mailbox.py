"""Connecting a mailbox: the Gmail consent and its callback, IMAP credentials, what is connected, disconnecting.

The verifier reads the mail, so it keeps the secrets: intake seals them (AES-256-GCM, the mailbox
key it shares with the verifier, bound to user, kind and address) and hands them over in a
`user.mailbox_connected` event written through the outbox with intake's own record of the
mailbox. intake keeps no secret; `GET /api/v1/mailbox` answers from that record.
"""

import asyncio
import base64
import json
import re
from typing import Any
from uuid import UUID

import httpx
from google.oauth2.credentials import Credentials
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.users import MailboxConnected, MailboxDisconnected
from runtime import google_oauth, outbox
from runtime.google_oauth import GmailTokens, OAuthClient, OAuthError
from runtime.sealing import Sealer, context
from runtime.service import Service
from runtime.tokens import Principal
from services.intake import errors, imap_login, scope, web
from services.intake.bodies import check_text, parse

# The verifier's label for mailbox secrets (services/verifier/sealing.py): the verifier opens what is sealed here.
HKDF_INFO = b"autoapply verifier mailbox secrets v1"
# A consent not finished in this long is void (Google's own codes live 10 minutes).
STATE_TTL_S = 600
HOST_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]{1,63}$")
PROFILE_TIMEOUT_S = 15


class ImapBox(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=993, ge=1, le=65535)
    username: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1000)
    tls: bool = True
    address: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)

    @field_validator("host")
    @classmethod
    def _host(cls, host: str) -> str:
        if not HOST_RE.match(host):
            raise ValueError("a host name, e.g. imap.example.org")
        return host.lower()


def sealer(svc: Service) -> Sealer:
    s = web.settings(svc)
    key = s.mailbox_key.get_secret_value() if s.mailbox_key else None
    return Sealer.configured(key, s.secret_key.get_secret_value(), HKDF_INFO)


def box_context(user_id: UUID, kind: str, address: str) -> str:
    return f"{user_id}|{kind}|{address.lower()}"  # as services/verifier/sealing.context


def google_client(svc: Service) -> OAuthClient:
    client = web.settings(svc).google_client()
    if client is None:
        raise errors.ApiError(404, "gmail_not_configured", "Gmail is not configured on this server; use IMAP")
    return client


async def start_gmail(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    consent = google_oauth.start(google_client(svc))
    sealed = sealer(svc).seal(consent.code_verifier.encode(), context("oauth", consent.state, who.user_id))
    await live_session(svc, who)
    async with svc.pool.acquire() as conn:
        await conn.execute("DELETE FROM oauth_states WHERE created_at < now() - make_interval(secs => $1)", STATE_TTL_S)
        await conn.execute(
            "INSERT INTO oauth_states (state, user_id, verifier_sealed) VALUES ($1, $2, $3)",
            consent.state,
            who.user_id,
            sealed,
        )
    return web.json({"authorize_url": consent.url, "expires_in": STATE_TTL_S})


async def gmail_callback(svc: Service, request: Request) -> Response:
    """Google's redirect: no token of ours comes with it, so the state says whose consent this is."""
    params = request.query_params
    check_text(dict(params))
    if params.get("error"):
        raise errors.ApiError(400, "consent_refused", f"Google answered: {params['error'][:100]}")
    code, state = params.get("code", ""), params.get("state", "")
    if not code or not state:
        raise errors.ApiError(422, "invalid_request", "the callback needs code and state")
    async with svc.pool.acquire() as conn:  # single use: taken whether or not the exchange works
        row = await conn.fetchrow(
            "DELETE FROM oauth_states WHERE state = $1 AND created_at > now() - make_interval(secs => $2) "
            "RETURNING user_id, verifier_sealed",
            state,
            STATE_TTL_S,
        )
    if row is None:
        raise errors.ApiError(400, "invalid_state", "this consent is unknown, used or expired: start again")
    user_id = row["user_id"]
    verifier = sealer(svc).open(bytes(row["verifier_sealed"]), context("oauth", state, user_id)).decode()
    client = google_client(svc)
    try:
        async with httpx.AsyncClient(trust_env=False) as http:
            tokens = await google_oauth.exchange(client, code, verifier, http)
        address = await gmail_address(tokens, client, web.settings(svc).gmail_api_url)
    except OAuthError as exc:
        raise errors.ApiError(400, "oauth_refused", str(exc)) from None
    await _connect(svc, user_id, "gmail", address, {}, tokens.as_json())
    return web.json({"connected": True, "kind": "gmail", "address": address})


async def gmail_address(tokens: GmailTokens, client: OAuthClient, api_url: str | None) -> str:
    """The mailbox's own address, from Gmail's users.getProfile (google-api-python-client)."""
    creds = google_oauth.credentials(tokens, client)
    return await asyncio.to_thread(_profile_address, creds, api_url)


def _profile_address(creds: Credentials, api_url: str | None) -> str:
    # Imported here: the discovery client takes seconds to import, and only a Gmail callback needs it.
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build
    from googleapiclient.errors import HttpError
    from httplib2 import Http

    options = {"api_endpoint": api_url} if api_url else None
    http = AuthorizedHttp(creds, http=Http(timeout=PROFILE_TIMEOUT_S))
    service = build("gmail", "v1", http=http, static_discovery=True, cache_discovery=False, client_options=options)
    try:
        profile: dict[str, Any] = service.users().getProfile(userId="me").execute()
    except HttpError as exc:
        raise OAuthError(f"Gmail refused the new grant: HTTP {exc.status_code}") from None
    finally:
        http.http.close()
    return str(profile["emailAddress"]).lower()


async def put_imap(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    box = await parse(request, ImapBox)
    address = (box.address or box.username).lower()
    settings = {"host": box.host, "port": box.port, "tls": box.tls, "username": box.username}
    await live_session(svc, who)
    password = box.password.get_secret_value()
    await imap_login.check(box.host, box.port, box.tls, box.username, password, svc.settings.mode == "sandbox")
    await _connect(svc, who.user_id, "imap", address, settings, {"password": password})
    return web.json({"connected": True, "kind": "imap", "address": address, **settings})


async def _connect(
    svc: Service, user_id: UUID, kind: str, address: str, settings: dict[str, Any], secret: dict[str, Any]
) -> None:
    """intake's record and the sealed handover to the verifier, in one transaction."""
    sealed = sealer(svc).seal(json.dumps(secret).encode(), box_context(user_id, kind, address))
    event = MailboxConnected(
        task_id=user_id,
        user_id=user_id,
        kind=kind,
        address=address,
        settings=settings,
        sealed_secret=base64.b64encode(sealed).decode(),
    )
    async with svc.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO mailbox_connections (user_id, address, kind, settings) VALUES ($1, $2, $3, $4::jsonb) "
            "ON CONFLICT (user_id, address) DO UPDATE SET kind = EXCLUDED.kind, settings = EXCLUDED.settings, "
            "connected_at = now()",
            user_id,
            address,
            kind,
            json.dumps(settings),
        )
        await outbox.enqueue(conn, svc.schema, event)


async def get_mailboxes(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        rows = await acting.conn.fetch(
            "SELECT address, kind, settings, connected_at FROM mailbox_connections WHERE user_id = $1 "
            "ORDER BY connected_at",
            who.user_id,
        )
    boxes = [
        {
            "address": r["address"],
            "kind": r["kind"],
            **json.loads(r["settings"]),
            "connected_at": r["connected_at"].isoformat(),
        }
        for r in rows
    ]
    return web.json({"mailboxes": boxes, "gmail_available": web.settings(svc).google_client() is not None})


async def delete_mailbox(svc: Service, request: Request) -> Response:
    """Disconnects one address (?address=) or every mailbox; the verifier deletes the secrets and revokes Gmail."""
    who = scope.principal(svc, request)
    check_text(dict(request.query_params))
    address = request.query_params.get("address", "").strip().lower() or None
    await live_session(svc, who)
    async with svc.pool.acquire() as conn, conn.transaction():
        done = await conn.execute(
            "DELETE FROM mailbox_connections WHERE user_id = $1 AND ($2::text IS NULL OR address = $2)",
            who.user_id,
            address,
        )
        if done.endswith(" 0"):
            raise errors.not_found("connected mailbox")
        gone = MailboxDisconnected(task_id=who.user_id, user_id=who.user_id, address=address)
        await outbox.enqueue(conn, svc.schema, gone)
    return web.json({"disconnected": int(done.split()[-1])})


async def live_session(svc: Service, who: Principal) -> None:
    """Refuses a revoked or expired login before anything is written with the service's own rights."""
    async with scope.as_user(svc, who):
        pass


class SandboxBox(BaseModel):
    """The sandbox's own mailbox (sandbox mode only): where its job sites deliver their mail."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(pattern=r"^http://(127\.0\.0\.1|localhost)(:\d{1,5})?/?$", max_length=64)
    address: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)


async def put_sandbox(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    if svc.settings.mode != "sandbox":
        raise errors.ApiError(403, "not_sandbox", "the sandbox's mailbox can be connected in sandbox mode only")
    box = await parse(request, SandboxBox)
    address, settings = box.address.lower(), {"url": box.url.rstrip("/")}
    await live_session(svc, who)
    await _connect(svc, who.user_id, "sandbox", address, settings, {})
    return web.json({"connected": True, "kind": "sandbox", "address": address, **settings})


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/mailbox", get_mailboxes, "GET"),
        web.route(svc, "/api/v1/mailbox", delete_mailbox, "DELETE"),
        web.route(svc, "/api/v1/mailbox/imap", put_imap, "PUT"),
        web.route(svc, "/api/v1/mailbox/sandbox", put_sandbox, "PUT"),
        web.route(svc, "/api/v1/mailbox/gmail/start", start_gmail, "POST"),
        web.route(svc, "/api/v1/mailbox/gmail/callback", gmail_callback, "GET"),
    ]
