"""A local server that speaks the Anthropic Messages API, for tests and benchmarks.

It answers POST /v1/messages (non-streaming: the anthropic client and browser-use's ChatAnthropic
both call `messages.create` without `stream`) from a script: a function of the request body, or a
list of replies played in order. Every request is recorded as it arrived, so a test can check what
our code sent. A reply may be an HTTP error (429, 500, 529) to test degradation.

Tokens are counted the same way for everyone who calls it: one token per `CHARS_PER_TOKEN`
characters of the request's JSON text (system, tools and messages) and of the reply's content.
A prompt-cache breakpoint (`cache_control` on a tool, a system block or a message block) makes the
text up to it a cached prefix: the first request that sends a prefix pays it as cache creation,
later ones read it from the cache; the rest is plain input.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# A rule of thumb for English text and JSON (Anthropic's own guidance is about 3.5-4 characters).
CHARS_PER_TOKEN = 4
START_TIMEOUT_S = 10.0
ERROR_TYPES = {429: "rate_limit_error", 500: "api_error", 529: "overloaded_error", 400: "invalid_request_error"}


def tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


@dataclass(frozen=True)
class Reply:
    """What the model says: content blocks (text, tool_use), or an HTTP error status."""

    content: tuple[dict[str, Any], ...] = ()
    status: int = 200
    stop_reason: str = "end_turn"

    @classmethod
    def tool(cls, name: str, payload: dict[str, Any]) -> Reply:
        block = {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": name, "input": payload}
        return cls(content=(block,), stop_reason="tool_use")

    @classmethod
    def text(cls, words: str) -> Reply:
        return cls(content=({"type": "text", "text": words},))

    @classmethod
    def error(cls, status: int) -> Reply:
        return cls(status=status)


Script = Callable[[dict[str, Any]], Reply]


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


def _segments(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """The request's parts in the API's cache order (tools, system, messages), each with whether a
    cache breakpoint ends it."""
    parts: list[tuple[str, bool]] = []
    for tool in body.get("tools") or ():
        parts.append((json.dumps(tool, sort_keys=True), "cache_control" in tool))
    system = body.get("system")
    blocks = [{"type": "text", "text": system}] if isinstance(system, str) else list(system or ())
    for block in blocks:
        parts.append((json.dumps(block, sort_keys=True), "cache_control" in block))
    for message in body.get("messages") or ():
        content = message.get("content")
        items = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or ())
        for block in items:
            parts.append((f"{message.get('role')}:{json.dumps(block, sort_keys=True)}", "cache_control" in block))
    return parts


class Cache:
    """Prefixes seen so far (by hash): the API's prompt cache, without its five-minute expiry."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def usage(self, body: dict[str, Any], reply_text: str) -> dict[str, int]:
        parts = _segments(body)
        last = max((i for i, (_, mark) in enumerate(parts) if mark), default=-1)
        prefix = "".join(p for p, _ in parts[: last + 1])
        rest = "".join(p for p, _ in parts[last + 1 :])
        created = read = 0
        if prefix:
            digest = hashlib.sha256(prefix.encode()).hexdigest()
            if digest in self.seen:
                read = tokens(prefix)
            else:
                self.seen.add(digest)
                created = tokens(prefix)
        return {
            "input_tokens": tokens(rest),
            "output_tokens": tokens(reply_text),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
        }


def played(replies: Iterable[Reply]) -> Script:
    """A script that plays replies in order; past the end, every request is a 500."""
    queue = list(replies)

    def next_reply(_: dict[str, Any]) -> Reply:
        return queue.pop(0) if queue else Reply.error(500)

    return next_reply


class ModelServer:
    """The server on a free loopback port, in a thread of its own (usable from sync and async tests)."""

    def __init__(self, script: Script | None = None) -> None:
        self.script: Script = script or played(())
        self.requests: list[Recorded] = []
        self.cache = Cache()
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def use(self, script: Script) -> None:
        """A new script and a fresh record (the cache stays, as the real one would)."""
        with self._lock:
            self.script, self.requests = script, []

    def input_tokens(self) -> int:
        """Everything the callers sent, cached or not: what a benchmark compares."""
        return sum(
            r.usage.get("input_tokens", 0)
            + r.usage.get("cache_creation_input_tokens", 0)
            + r.usage.get("cache_read_input_tokens", 0)
            for r in self.requests
        )

    async def _messages(self, request: Request) -> JSONResponse:
        body = await request.json()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            script = self.script
        reply = await asyncio.to_thread(script, body)
        if reply.status != 200:
            self.requests.append(Recorded(body, headers, reply.status))
            kind = ERROR_TYPES.get(reply.status, "api_error")
            error = {"type": "error", "error": {"type": kind, "message": f"scripted {reply.status}"}}
            return JSONResponse(error, status_code=reply.status, headers={"retry-after": "0"})
        usage = self.cache.usage(body, json.dumps(list(reply.content), ensure_ascii=False))
        self.requests.append(Recorded(body, headers, 200, usage))
        message = {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": list(reply.content),
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
        return JSONResponse(message)

    def start(self) -> ModelServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the model server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
