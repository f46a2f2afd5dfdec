"""`autoapply dlq list | replay SEQ`: the dead letters of the local stack (or any nats-server)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import nats
from nats.js import JetStreamContext

from runtime import deadletter

T = TypeVar("T")
# An operator command: fail fast with a clear message rather than wait for a server that is down.
CONNECT_TIMEOUT_S = 3


async def _with_js(url: str, work: Callable[[JetStreamContext], Awaitable[T]]) -> T:
    # A cluster's URLs come comma-separated; the client takes them as a list and fails over.
    client = await nats.connect(url.split(","), connect_timeout=CONNECT_TIMEOUT_S, max_reconnect_attempts=1)
    try:
        return await work(client.jetstream(timeout=5))
    finally:
        await client.close()


async def _summaries(js: JetStreamContext, limit: int) -> list[dict[str, object]]:
    return [letter.summary() for letter in await deadletter.list_dead_letters(js, limit)]


def list_letters(url: str, limit: int) -> list[dict[str, object]]:
    return asyncio.run(_with_js(url, lambda js: _summaries(js, limit)))


def replay(url: str, seq: int) -> str:
    return asyncio.run(_with_js(url, lambda js: deadletter.replay(js, seq)))


def render(letters: list[dict[str, object]]) -> str:
    if not letters:
        return "no dead letters"
    lines = [f"{'seq':>6}  {'consumer':<26} {'subject':<58} reason"]
    for item in letters:
        lines.append(f"{item['seq']!s:>6}  {item['consumer']!s:<26} {item['subject']!s:<58} {item['reason']}")
    return "\n".join(lines)


def dumps(letters: list[dict[str, object]]) -> str:
    return json.dumps(letters, indent=2)
