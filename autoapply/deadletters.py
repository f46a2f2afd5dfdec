"""`autoapply dlq list | replay SEQ`: the dead letters of the local stack (or any nats-server)."""

import json

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from autoapply.ops import API_TIMEOUT_S, with_client
from contracts.streams import DEAD_LETTER_STREAM
from runtime import deadletter


async def _summaries(client: Client, limit: int) -> list[dict[str, object]]:
    try:
        letters = await deadletter.list_dead_letters(client.jetstream(timeout=API_TIMEOUT_S), limit)
    except NotFoundError:
        return []  # no service has declared the dead-letter stream yet: so there are none
    return [letter.summary() for letter in letters]


async def list_letters(url: str, limit: int) -> list[dict[str, object]]:
    return await with_client(url, lambda c: _summaries(c, limit))


async def _replay(client: Client, seq: int) -> str:
    try:
        return await deadletter.replay(client.jetstream(timeout=API_TIMEOUT_S), seq)
    except NotFoundError:
        raise LookupError(
            f"no dead letter {seq} in {DEAD_LETTER_STREAM} (already replayed? `autoapply dlq list` shows them)"
        ) from None


async def replay(url: str, seq: int) -> str:
    return await with_client(url, lambda c: _replay(c, seq))


def render(letters: list[dict[str, object]]) -> str:
    if not letters:
        return "no dead letters"
    lines = [f"{'seq':>6}  {'consumer':<26} {'subject':<58} reason"]
    for item in letters:
        lines.append(f"{item['seq']!s:>6}  {item['consumer']!s:<26} {item['subject']!s:<58} {item['reason']}")
    return "\n".join(lines)


def dumps(letters: list[dict[str, object]]) -> str:
    return json.dumps(letters, indent=2)
