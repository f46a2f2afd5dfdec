"""Access tokens: short-lived JWTs that intake issues and every service with a page or API checks.

Signed with the stack's secret key (HS256). A token names the user, their session (so intake can
revoke it) and their role; a token of another issuer or kind, forged or expired, is refused.

Checking is on every request, so it is done here rather than by PyJWT's decode (about 0.1 ms a
token, most of it re-checking the encoding character by character): the HMAC key is prepared once
per secret and copied per token, the signature is compared in constant time before any part of
the token is parsed, and only then are the header and claims read. Nothing about a token is
cached: each is verified in full.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import jwt

# Who issued a token and what it is for: a token of another issuer or kind is refused.
ISSUER = "autoapply-intake"
ALGORITHM = "HS256"

Role = Literal["user", "operator"]


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, from a verified access token."""

    user_id: UUID
    role: Role
    session_id: UUID


class BadToken(ValueError):
    """Forged, expired, malformed or of the wrong kind; the message says which, for the client."""


def access_token(principal: Principal, secret: str, ttl_s: int) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "typ": "access",
        "sub": str(principal.user_id),
        "sid": str(principal.session_id),
        "role": principal.role,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@functools.lru_cache(maxsize=8)
def _key(secret: str) -> "hmac.HMAC":
    """The keyed HMAC state, ready for a token's bytes (a copy per token)."""
    return hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)


def _segment(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _signed_claims(token: str, secret: str) -> dict[str, Any]:
    """The claims of a token whose HS256 signature is ours; raises BadToken otherwise."""
    try:
        head, body, signature = token.split(".")
        mac = _key(secret).copy()
        mac.update(f"{head}.{body}".encode("ascii"))
        expected = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
        if not hmac.compare_digest(expected, signature.encode("ascii")):
            raise BadToken("the access token is not valid")
        header, claims = _segment(head), _segment(body)
    except (ValueError, UnicodeError, binascii.Error):  # json's errors are ValueErrors too
        raise BadToken("the access token is not valid") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or "crit" in header:
        raise BadToken("the access token is not valid")
    if not isinstance(claims, dict):
        raise BadToken("the access token is not valid")
    return claims


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_times(claims: dict[str, Any]) -> None:
    now = time.time()
    if not _number(claims.get("exp")) or any(k in claims and not _number(claims[k]) for k in ("iat", "nbf")):
        raise BadToken("the access token is not valid")
    if claims["exp"] <= now:
        raise BadToken("the access token has expired; refresh it")
    if claims.get("nbf", now) > now:
        raise BadToken("the access token is not valid")


def verify_access(token: str, secret: str) -> Principal:
    claims = _signed_claims(token, secret)
    _check_times(claims)
    if claims.get("iss") != ISSUER or claims.get("typ") != "access" or claims.get("role") not in ("user", "operator"):
        raise BadToken("the access token is not valid")
    try:
        return Principal(UUID(claims["sub"]), claims["role"], UUID(claims["sid"]))
    except (KeyError, ValueError, TypeError, AttributeError):
        raise BadToken("the access token is not valid") from None
