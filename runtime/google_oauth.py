"""Google OAuth2 for a Gmail mailbox: the consent URL (gmail.readonly, offline, PKCE), the code
exchange, and google-auth credentials that refresh themselves.

Shared because two services use it: intake's routes call `start` when the user clicks "connect
Gmail" and `exchange` on Google's callback; the verifier reads the mailbox with `credentials`.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from google.oauth2.credentials import Credentials

AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"
REVOKE_URI = "https://oauth2.googleapis.com/revoke"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
# The token endpoint answers in well under a second; this bounds a stuck callback.
EXCHANGE_TIMEOUT_S = 10.0


class OAuthError(Exception):
    """The exchange failed; the message carries Google's error code, never a token."""


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uri: str
    auth_uri: str = AUTH_URI
    token_uri: str = TOKEN_URI


@dataclass(frozen=True)
class Consent:
    url: str
    state: str  # intake keeps it in the user's session and checks it on the callback
    code_verifier: str  # PKCE: kept with the state, sent with the code


@dataclass(frozen=True)
class GmailTokens:
    access_token: str
    refresh_token: str
    expiry: datetime  # timezone-aware
    scopes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expiry": self.expiry.isoformat(),
            "scopes": list(self.scopes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GmailTokens":
        expiry = datetime.fromisoformat(data["expiry"])
        return cls(data["access_token"], data["refresh_token"], expiry, tuple(data["scopes"]))


def start(client: OAuthClient, login_hint: str | None = None) -> Consent:
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "response_type": "code",
        "scope": GMAIL_READONLY,
        "access_type": "offline",  # a refresh token, so the mailbox can be read while the user is away
        "prompt": "consent",  # Google sends the refresh token only with a fresh consent
        "include_granted_scopes": "false",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    return Consent(f"{client.auth_uri}?{urlencode(params)}", state, verifier)


async def exchange(client: OAuthClient, code: str, code_verifier: str, http: httpx.AsyncClient) -> GmailTokens:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": code_verifier,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_uri": client.redirect_uri,
    }
    try:
        answer = await http.post(client.token_uri, data=form, timeout=EXCHANGE_TIMEOUT_S)
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OAuthError(f"token endpoint unreachable or not JSON: {type(exc).__name__}") from exc
    if answer.status_code != 200:
        raise OAuthError(f"token endpoint refused the code: {body.get('error', answer.status_code)}")
    return _tokens(body)


def _tokens(body: dict[str, Any]) -> GmailTokens:
    scopes = tuple(str(body.get("scope", "")).split())
    if GMAIL_READONLY not in scopes:
        raise OAuthError("the user did not grant read access to Gmail")
    if not body.get("refresh_token"):
        raise OAuthError("no refresh token: the consent must be given again (prompt=consent)")
    expiry = datetime.now(UTC) + timedelta(seconds=int(body.get("expires_in", 0)))
    return GmailTokens(str(body["access_token"]), str(body["refresh_token"]), expiry, scopes)


def credentials(tokens: GmailTokens, client: OAuthClient) -> Credentials:
    """google-auth credentials that refresh themselves against the client's token endpoint."""
    return Credentials(  # type: ignore[no-untyped-call]
        token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        token_uri=client.token_uri,
        client_id=client.client_id,
        client_secret=client.client_secret,
        scopes=list(tokens.scopes),
        expiry=tokens.expiry.astimezone(UTC).replace(tzinfo=None),  # google-auth compares naive UTC
    )


def refreshed(creds: Credentials, before: GmailTokens) -> GmailTokens | None:
    """The new tokens when google-auth refreshed them during a call, else None."""
    if creds.token == before.access_token or not creds.token:
        return None
    expiry = creds.expiry.replace(tzinfo=UTC) if creds.expiry else datetime.now(UTC)
    return GmailTokens(creds.token, creds.refresh_token or before.refresh_token, expiry, before.scopes)


async def revoke(token: str, revoke_uri: str, http: httpx.AsyncClient) -> bool:
    """Asks Google to end the grant (a refresh token ends its access tokens too); True if it did."""
    try:
        answer = await http.post(revoke_uri, data={"token": token}, timeout=EXCHANGE_TIMEOUT_S)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200
