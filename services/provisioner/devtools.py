"""The DevTools relay: this host's browsers, offered to executors on other hosts.

Chromium's DevTools listens on loopback only, and rightly: whoever reaches it drives a person's
logged-in browser. The relay listens on a configured address and forwards a connection to a
browser's own loopback DevTools socket only when its path carries that browser's token. A token is
an HMAC, under a key derived from the secret key, of the browser's port and its DevTools id (the
id Chromium draws at each launch): it cannot be guessed or made for another browser, any
provisioner sharing the secret can check it, and it dies with the browser it names.

    http://HOST:PORT/t/<token>               the cdp_url (Playwright and browser-use GET .../json/version)
    ws://HOST:PORT/t/<token>                 the ws_url: the browser's DevTools websocket

Anything else is refused. The relay runs inside the provisioner, so it stops with it.
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from runtime.errors import TransientError
from services.provisioner.ports import loopback_client
from services.provisioner.providers import ProfileSpec, Provider, ProviderName, Session
from services.provisioner.relay import pipe

log = logging.getLogger(__name__)

PREFIX = "/t/"
BROWSER_PATH = "/devtools/browser/"
LOOPBACKS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# The key is derived, so a leaked relay token says nothing about the vault's key.
KEY_LABEL = b"autoapply devtools relay v1"
MAX_HEAD_BYTES = 16 * 1024
# A client that sends no request head in this long is dropped; the browser answers in milliseconds.
HEAD_TIMEOUT_S = 10.0
UPSTREAM_TIMEOUT_S = 5.0
# Handlers asking for a relayed session before the relay listens wait this long (it binds at start).
LISTEN_WAIT_S = 10.0


class RelayNotListening(TransientError):
    """The relay has not bound its address (yet): no browser can be offered to other hosts."""


@dataclass(frozen=True)
class Target:
    """What a token names: a browser's loopback DevTools port and its DevTools id."""

    port: int
    browser_id: str


def derive_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), KEY_LABEL, hashlib.sha256).digest()


def sign(key: bytes, target: Target) -> str:
    return f"{target.port}.{target.browser_id}.{_mac(key, target)}"


def verify(key: bytes, token: str) -> Target | None:
    port, _, rest = token.partition(".")
    browser_id, _, mac = rest.partition(".")
    if not port.isdigit() or not browser_id or not mac or not 0 < int(port) < 65536:
        return None
    target = Target(int(port), browser_id)
    return target if hmac.compare_digest(mac, _mac(key, target)) else None


def _mac(key: bytes, target: Target) -> str:
    digest = hmac.new(key, f"{target.port}/{target.browser_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def target_of(ws_url: str) -> Target | None:
    """The browser behind a loopback DevTools websocket URL; None for any other URL."""
    parts = urlsplit(ws_url)
    if parts.hostname not in LOOPBACKS or not parts.port or not parts.path.startswith(BROWSER_PATH):
        return None
    browser_id = parts.path[len(BROWSER_PATH) :]
    return Target(parts.port, browser_id) if browser_id and "/" not in browser_id else None


class Relay:
    """One per provisioner instance: binds `listen:port`, hands out URLs on `public`."""

    def __init__(self, key: bytes, listen: str, port: int, public: str) -> None:
        self.key, self.listen, self.port, self.public = key, listen, port, public
        self._listening = asyncio.Event()
        self._clients: set[asyncio.StreamWriter] = set()

    @property
    def base(self) -> str:
        host = f"[{self.public}]" if ":" in self.public else self.public
        return f"{host}:{self.port}"

    async def outward(self, session: Session) -> Session:
        """The session as other hosts reach it; one whose browser is not on loopback is left as it is."""
        target = target_of(session.ws_url)
        if target is None:
            return session
        try:
            await asyncio.wait_for(self._listening.wait(), LISTEN_WAIT_S)
        except TimeoutError:
            raise RelayNotListening("the DevTools relay is not listening") from None
        path = PREFIX + sign(self.key, target)
        return replace(session, cdp_url=f"http://{self.base}{path}", ws_url=f"ws://{self.base}{path}")

    async def run(self) -> None:
        """Serves until cancelled; then closes the listening socket and every relayed connection."""
        server = await asyncio.start_server(self._serve, self.listen, self.port, limit=MAX_HEAD_BYTES)
        self.port = server.sockets[0].getsockname()[1]  # the one bound, when 0 asked for any
        self._listening.set()
        log.info("DevTools relay listening on %s:%d", self.listen, self.port)
        try:
            async with server:
                await asyncio.Event().wait()
        finally:
            self._listening.clear()
            for writer in list(self._clients):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            await self._answer(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            self._clients.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT_S)
        request = parse_head(head)
        if request is None:
            return await _reply(writer, 400, "bad request")
        method, path, headers = request
        token, _, rest = path.removeprefix(PREFIX).partition("/")
        target = verify(self.key, token) if path.startswith(PREFIX) else None
        if target is None:
            log.info("DevTools relay refused a request without a valid token from %s", _peer(writer))
            return await _reply(writer, 403, "forbidden")
        if method != "GET":
            return await _reply(writer, 405, "method not allowed")
        version = await upstream_version(target)
        if version is None:
            return await _reply(writer, 404, "no such browser")  # stopped: its token died with it
        if rest.rstrip("/") == "json/version":
            version["webSocketDebuggerUrl"] = f"ws://{self.base}{PREFIX}{token}"
            return await _reply(writer, 200, json.dumps(version), "application/json")
        if rest in ("", f"devtools/browser/{target.browser_id}") and headers.get("upgrade", "").lower() == "websocket":
            return await _tunnel(reader, writer, target, head)
        await _reply(writer, 404, "not found")


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]] | None:
    """(method, path, headers by lower-case name) of an HTTP/1.1 request head, or None."""
    try:
        lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        return None
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        return None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            return None
        headers[name.strip().lower()] = value.strip()
    return method, target.split("?", 1)[0], headers


async def upstream_version(target: Target) -> dict[str, Any] | None:
    """The browser's /json/version when the browser on that port is the one the token names."""
    try:
        async with loopback_client(UPSTREAM_TIMEOUT_S) as client:
            answer = await client.get(f"http://127.0.0.1:{target.port}/json/version")
        version = dict(answer.json())
    except (httpx.HTTPError, ValueError, TypeError):
        return None
    named = target_of(str(version.get("webSocketDebuggerUrl", "")))
    return version if named == target else None


def upstream_head(head: bytes, target: Target) -> bytes:
    """The client's websocket upgrade, sent to the browser's own path with a loopback Host (Chromium
    refuses a Host header that is neither an IP address nor localhost)."""
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    version = lines[0].rsplit(b" ", 1)[-1]
    kept = [line for line in lines[1:] if not line.lower().startswith(b"host:")]
    request = b"GET " + f"{BROWSER_PATH}{target.browser_id}".encode() + b" " + version
    return b"\r\n".join([request, f"Host: 127.0.0.1:{target.port}".encode(), *kept]) + b"\r\n\r\n"


async def _tunnel(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: Target, head: bytes) -> None:
    up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", target.port), UPSTREAM_TIMEOUT_S)
    up_writer.write(upstream_head(head, target))
    # Frames go both ways as bytes: the browser speaks the websocket protocol with the client itself.
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def _reply(writer: asyncio.StreamWriter, status: int, body: str, kind: str = "text/plain") -> None:
    data = body.encode()
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}[status]
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {len(data)}\r\nConnection: close"
    writer.write(head.encode() + b"\r\n\r\n" + data)
    await writer.drain()


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    return str(peer[0]) if peer else "?"


class RelayedProvider:
    """A provider whose sessions are offered through the relay; everything else is the provider's own."""

    def __init__(self, inner: Provider, relay: Relay) -> None:
        self.inner, self.relay = inner, relay
        self.name: ProviderName = inner.name

    async def create(self, spec: ProfileSpec) -> str:
        return await self.inner.create(spec)

    async def start(self, spec: ProfileSpec) -> Session:
        return await self.relay.outward(await self.inner.start(spec))

    async def stop(self, spec: ProfileSpec) -> None:
        await self.inner.stop(spec)

    async def running(self, spec: ProfileSpec) -> Session | None:
        session = await self.inner.running(spec)
        return None if session is None else await self.relay.outward(session)

    async def delete(self, spec: ProfileSpec) -> None:
        await self.inner.delete(spec)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
