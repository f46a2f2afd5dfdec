"""Access tokens: short-lived JWTs that intake issues and every service with a page or API checks.

Signed with the stack's secret key (HS256). A token names the user, their session (so intake can
revoke it) and their role; a token of another issuer or kind, forged or expired, is refused.
"""

import time
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import jwt

# Who issued a token and what it is for: a token of another issuer or kind is refused.
ISSUER = "autoapply-intake"
ALGORITHM = "HS256"

Role = Literal["user", "operator"]
# Tokens verified and kept (by token and key) until they expire; past this many the oldest goes.
VERIFIED_MAX = 10_000


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, from a verified access token."""

    user_id: UUID
    role: Role
    session_id: UUID


class BadToken(ValueError):
    """Forged, expired, malformed or of the wrong kind; the message says which, for the client."""


_verified: dict[tuple[str, str], tuple[Principal, float]] = {}


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


def verify_access(token: str, secret: str) -> Principal:
    """The token's principal; a token verified before is taken from memory until its expiry (the
    signature check was a tenth of a task's CPU at intake; a revoked session is refused all the
    same, by its row, which intake reads on every request)."""
    key = (token, secret)
    known = _verified.get(key)
    if known is not None:
        if known[1] > time.time():
            return known[0]
        del _verified[key]
    principal, expires = _verify(token, secret)
    if len(_verified) >= VERIFIED_MAX:
        del _verified[next(iter(_verified))]  # the oldest
    _verified[key] = (principal, expires)
    return principal


def _verify(token: str, secret: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub", "sid", "iss"]}
        )
    except jwt.ExpiredSignatureError:
        raise BadToken("the access token has expired; refresh it") from None
    except jwt.InvalidTokenError:
        raise BadToken("the access token is not valid") from None
    if claims.get("typ") != "access" or claims.get("role") not in ("user", "operator"):
        raise BadToken("the access token is not valid")
    try:
        return Principal(UUID(claims["sub"]), claims["role"], UUID(claims["sid"])), float(claims["exp"])
    except (ValueError, TypeError):
        raise BadToken("the access token is not valid") from None
