"""Browser sessions: one random cookie per browser, server-side dicts behind it."""

import secrets
from http.cookies import SimpleCookie
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "sbx_session"


class Sessions:
    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}

    def get(self, sid: str) -> dict[str, Any]:
        return self._data.setdefault(sid, {})

    def clear(self) -> None:
        self._data.clear()


def _cookie_sid(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class SessionMiddleware:
    """Gives every HTTP request a session id, setting the cookie on the first response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sid = _cookie_sid(scope)
        fresh = sid is None
        sid = sid or secrets.token_urlsafe(18)
        scope.setdefault("state", {})["sid"] = sid

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                cookie = f"{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax".encode()
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
