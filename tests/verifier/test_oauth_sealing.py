"""Connecting Gmail against a local OAuth token endpoint, and mailbox secrets sealed with AES-256-GCM."""

import asyncio
import base64
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import google_auth_httplib2
import httplib2
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from autoapply.local.ports import free_port
from runtime import google_oauth as oauth
from services.verifier.sealing import Sealer, SealError, context
from tests.support import eventually

REDIRECT = "https://app.example.org/api/v1/mailboxes/gmail/callback"


@dataclass
class TokenEndpoint:
    """Google's token endpoint as far as the verifier uses it: code exchange (with PKCE) and refresh."""

    url: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # code -> PKCE challenge
    scope: str = oauth.GMAIL_READONLY
    seen: list[dict[str, str]] = field(default_factory=list)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.seen.append(form)
        if form.get("client_id") != "client-1" or form.get("client_secret") != "secret-1":
            return JSONResponse({"error": "invalid_client"}, 401)
        if form["grant_type"] == "authorization_code":
            return self._exchange(form)
        if form["grant_type"] == "refresh_token" and form.get("refresh_token") == "1//refresh-1":
            return JSONResponse({"access_token": "ya29.refreshed", "expires_in": 3599, "scope": self.scope})
        return JSONResponse({"error": "invalid_grant"}, 400)

    def _exchange(self, form: dict[str, str]) -> JSONResponse:
        challenge = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "").encode()
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if challenge is None or computed != challenge or form.get("redirect_uri") != REDIRECT:
            return JSONResponse({"error": "invalid_grant"}, 400)
        body = {"access_token": "ya29.first", "expires_in": 3599, "refresh_token": "1//refresh-1", "scope": self.scope}
        return JSONResponse(body | {"token_type": "Bearer"})


@pytest.fixture
async def endpoint() -> AsyncIterator[TokenEndpoint]:
    state = TokenEndpoint()
    port = free_port()
    app = Starlette(routes=[Route("/token", state.token, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    state.url = f"http://127.0.0.1:{port}/token"
    try:
        yield state
    finally:
        server.should_exit = True
        await serving


def client(endpoint: TokenEndpoint) -> oauth.OAuthClient:
    return oauth.OAuthClient("client-1", "secret-1", REDIRECT, token_uri=endpoint.url)


def consent_code(endpoint: TokenEndpoint, consent: oauth.Consent) -> str:
    """What Google does between the consent URL and the callback: remember the challenge, issue a code."""
    params = parse_qs(urlsplit(consent.url).query)
    code = secrets.token_urlsafe(16)
    endpoint.codes[code] = params["code_challenge"][0]
    return code


@pytest.mark.unit
def test_the_consent_url_asks_for_read_only_gmail_offline_with_pkce() -> None:
    consent = oauth.start(oauth.OAuthClient("client-1", "secret-1", REDIRECT), login_hint="ada@example.org")
    parts = urlsplit(consent.url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == oauth.AUTH_URI
    assert params["scope"] == "https://www.googleapis.com/auth/gmail.readonly"
    assert params["access_type"] == "offline" and params["prompt"] == "consent"
    assert params["state"] == consent.state and params["redirect_uri"] == REDIRECT
    expected = base64.urlsafe_b64encode(hashlib.sha256(consent.code_verifier.encode()).digest()).rstrip(b"=").decode()
    assert params["code_challenge"] == expected and params["code_challenge_method"] == "S256"
    assert oauth.start(oauth.OAuthClient("c", "s", REDIRECT)).state != consent.state


@pytest.mark.integration
async def test_the_code_is_exchanged_and_the_tokens_refresh(endpoint: TokenEndpoint) -> None:
    consent = oauth.start(client(endpoint))
    async with httpx.AsyncClient() as http:
        tokens = await oauth.exchange(client(endpoint), consent_code(endpoint, consent), consent.code_verifier, http)
    assert tokens.access_token == "ya29.first" and tokens.refresh_token == "1//refresh-1"
    assert tokens.scopes == (oauth.GMAIL_READONLY,)
    assert timedelta(minutes=55) < tokens.expiry - datetime.now(UTC) <= timedelta(hours=1)
    assert oauth.GmailTokens.from_json(tokens.as_json()) == tokens

    creds = oauth.credentials(tokens, client(endpoint))
    http1 = httplib2.Http()
    try:
        await asyncio.to_thread(creds.refresh, google_auth_httplib2.Request(http1))
    finally:
        http1.close()
    renewed = oauth.refreshed(creds, tokens)
    assert renewed is not None and renewed.access_token == "ya29.refreshed" and renewed.refresh_token == "1//refresh-1"
    assert endpoint.seen[-1]["grant_type"] == "refresh_token"


@pytest.mark.integration
async def test_refusals_name_the_error_never_a_token(endpoint: TokenEndpoint) -> None:
    consent = oauth.start(client(endpoint))
    async with httpx.AsyncClient() as http:
        with pytest.raises(oauth.OAuthError, match="invalid_grant"):
            await oauth.exchange(client(endpoint), "a-code-nobody-issued", consent.code_verifier, http)
        with pytest.raises(oauth.OAuthError, match="invalid_grant"):  # the PKCE verifier must match
            await oauth.exchange(client(endpoint), consent_code(endpoint, consent), "another-verifier", http)
        endpoint.scope = "openid email"
        with pytest.raises(oauth.OAuthError, match="did not grant read access"):
            await oauth.exchange(client(endpoint), consent_code(endpoint, consent), consent.code_verifier, http)
        with pytest.raises(oauth.OAuthError, match="unreachable"):
            closed = oauth.OAuthClient("client-1", "secret-1", REDIRECT, token_uri=f"http://127.0.0.1:{free_port()}/t")
            await oauth.exchange(closed, "code", consent.code_verifier, http)


@pytest.mark.unit
def test_sealed_secrets_open_only_with_their_key_and_row() -> None:
    sealer, user = Sealer(secrets.token_bytes(32)), uuid.uuid4()
    row = context(user, "imap", "Ada@Example.org")
    sealed = sealer.seal(b'{"password": "imap-pass"}', row)
    assert b"imap-pass" not in sealed and sealer.open(sealed, context(user, "imap", "ada@example.org")) == (
        b'{"password": "imap-pass"}'
    )
    assert sealer.seal(b"same", row) != sealer.seal(b"same", row)  # a fresh nonce each time
    with pytest.raises(SealError):
        sealer.open(sealed, context(uuid.uuid4(), "imap", "ada@example.org"))  # moved to another user
    with pytest.raises(SealError):
        Sealer(secrets.token_bytes(32)).open(sealed, row)  # another key
    with pytest.raises(SealError):
        sealer.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), row)  # tampered
    with pytest.raises(ValueError, match="32 bytes"):
        Sealer(b"short")
    derived = Sealer.derived("x" * 40)
    assert Sealer.derived("x" * 40).open(derived.seal(b"v", row), row) == b"v"
