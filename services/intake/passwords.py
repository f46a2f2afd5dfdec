"""Password hashes (argon2id) and the tokens: short-lived JWT access tokens, opaque refresh tokens."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Who issued a token and what it is for: a token of another issuer or kind is refused.
ISSUER = "autoapply-intake"
ALGORITHM = "HS256"
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

Role = Literal["user", "operator"]


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, from a verified access token."""

    user_id: UUID
    role: Role
    session_id: UUID


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


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


class BadToken(ValueError):
    """Forged, expired, malformed or of the wrong kind; the message says which, for the client."""


def verify_access(token: str, secret: str) -> Principal:
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
        return Principal(UUID(claims["sub"]), claims["role"], UUID(claims["sid"]))
    except (ValueError, TypeError):
        raise BadToken("the access token is not valid") from None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
