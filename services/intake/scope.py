"""Who a request acts for, and a transaction that can only see that user's rows.

The token is verified (signature, expiry, kind), its session looked up (so a revoked login stops
at once, on every instance), then the transaction switches to the role autoapply_api with
app.user_id and app.role set: the row-level security policies of the migrations decide what it sees.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from starlette.requests import HTTPConnection

from runtime import db
from runtime.service import Service
from runtime.tokens import BadToken, Principal, verify_access
from services.intake import cookies, errors
from services.intake.settings import IntakeSettings

API_ROLE = "autoapply_api"


def bearer(conn: HTTPConnection) -> str:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # Browsers cannot set headers on a WebSocket: there the token may come as a query parameter.
    if conn.scope["type"] == "websocket" and conn.query_params.get("token"):
        return conn.query_params["token"]
    raise errors.unauthorized("this route needs an access token (Authorization: Bearer ...)")


def principal(svc: Service, conn: HTTPConnection) -> Principal:
    settings = svc.settings
    assert isinstance(settings, IntakeSettings)
    secret = settings.secret_key.get_secret_value()
    if not conn.headers.get("authorization") and conn.cookies.get(cookies.ACCESS_COOKIE):
        return _from_cookie(conn, secret)
    try:
        return verify_access(bearer(conn), secret)
    except BadToken as exc:
        raise errors.unauthorized(str(exc)) from None


def _from_cookie(conn: HTTPConnection, secret: str) -> Principal:
    """The page's cookie: a write needs its CSRF token, a WebSocket the page's own origin."""
    try:
        who = verify_access(conn.cookies[cookies.ACCESS_COOKIE], secret)
    except BadToken as exc:
        raise errors.unauthorized(str(exc)) from None
    if conn.scope["type"] == "websocket":
        if not cookies.same_origin(conn):
            raise errors.unauthorized("a signed-in page may open a socket from its own origin only")
    elif conn.scope["method"] not in cookies.SAFE_METHODS:
        if not cookies.csrf_ok(secret, who.session_id, conn.headers.get(cookies.CSRF_HEADER)):
            raise errors.forbidden("a write from the page needs its X-CSRF-Token header")
    return who


@dataclass(frozen=True)
class Acting:
    conn: asyncpg.Connection
    who: Principal
    plan: str  # free or pro, read with the session so a change of plan counts at once


@asynccontextmanager
async def as_user(svc: Service, who: Principal) -> AsyncIterator[Acting]:
    """A transaction acting for `who`; refuses a revoked or expired session."""
    async with svc.pool.acquire() as conn:
        async with conn.transaction():
            yield await _acting(conn, who)
        db.session_unchanged(conn)  # the settings below were the transaction's own


async def _acting(conn: asyncpg.Connection, who: Principal) -> Acting:
    # One round trip: the session row is read with the service's own rights (privileges are
    # checked before the statement runs), and only a live session switches the role.
    plan = await conn.fetchval(
        "SELECT u.plan FROM sessions s JOIN users u USING (user_id) "
        "WHERE s.session_id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() "
        "AND set_config('role', $4, true) IS NOT NULL "
        "AND set_config('app.user_id', s.user_id::text, true) IS NOT NULL "
        "AND set_config('app.role', $3, true) IS NOT NULL",
        who.session_id,
        who.user_id,
        who.role,
        API_ROLE,
    )
    if plan is None:
        raise session_ended()
    return Acting(conn, who, plan)


def session_ended() -> errors.ApiError:
    return errors.unauthorized("the session has ended (logged out or revoked); log in again")
