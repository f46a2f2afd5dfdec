"""The page's sign-in: the same tokens as the API's, kept in HttpOnly cookies, with CSRF protection.

The access token is in `autoapply_access` (sent to every path, so the page's JavaScript calls the
same /api/v1 routes with it), the refresh token in `autoapply_refresh` (sent only to /app, where
the page refreshes it). Script can read neither. A write authenticated by the cookie must carry
`X-CSRF-Token`: an HMAC of the session id under the stack's secret, which the page puts in its
HTML; another site can make the browser send the cookie but cannot read the page to learn it.
A WebSocket authenticated by the cookie must come from the page's own origin.
"""

import hashlib
import hmac
from uuid import UUID

from starlette.requests import HTTPConnection
from starlette.responses import Response

ACCESS_COOKIE = "autoapply_access"
REFRESH_COOKIE = "autoapply_refresh"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"  # the same token in a plain HTML form (sign-out)
# Reads never change anything; every other method needs the CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The refresh cookie lives as long as the session may; the access cookie as long as its token.
REFRESH_PATH = "/app"


def csrf_token(secret: str, session_id: UUID) -> str:
    return hmac.new(secret.encode(), f"csrf {session_id}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, session_id: UUID, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, session_id), given or "")


def same_origin(conn: HTTPConnection) -> bool:
    """The Origin header names this server (a browser always sends it on a WebSocket handshake)."""
    origin = conn.headers.get("origin")
    if origin is None:
        return False
    host = conn.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def secure(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss") or conn.headers.get("x-forwarded-proto") == "https"


def set_tokens(response: Response, tokens: dict[str, object], https: bool, session_days: int) -> None:
    """Lax, not Strict: a link in a notification mail opens the page signed in; writes need the CSRF token."""
    access, refresh = str(tokens["access_token"]), str(tokens["refresh_token"])
    ttl = int(str(tokens["expires_in"]))
    response.set_cookie(ACCESS_COOKIE, access, max_age=ttl, httponly=True, samesite="lax", secure=https, path="/")
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=https,
        path=REFRESH_PATH,
    )


def clear_tokens(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH)
