"""`autoapply bus streams | consumers | tail SUBJECT`: the operator's view of JetStream.

Everything here reads through the client API (not the monitor port), so the same commands work
against any nats-server given with --nats-url. A server that is down is one clear line, never a
traceback: the client's own error logging is silenced and it does not reconnect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO, TypeVar

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerInfo, StreamInfo

from runtime.codec import decode
from runtime.errors import PermanentError
from runtime.scrub import REDACTED, remember_personal, scrub_text, secret_key

T = TypeVar("T")
# An operator command fails fast with a clear message rather than wait for a server that is down.
CONNECT_TIMEOUT_S = 3
# JetStream API calls answer in milliseconds; longer means the server is in trouble.
API_TIMEOUT_S = 5


class StackDown(Exception):
    """The nats-server does not answer; the message says where it was looked for."""


async def _quiet(_: Exception) -> None:
    return None  # the command reports the failure itself, in one line


async def connect(url: str) -> Client:
    try:
        return await nats.connect(
            url.split(","),  # a cluster's URLs come comma-separated
            connect_timeout=CONNECT_TIMEOUT_S,
            allow_reconnect=False,
            error_cb=_quiet,
            max_reconnect_attempts=1,  # 0 would mean "forever"; the first connect tries twice
            reconnect_time_wait=0.2,
        )
    except (OSError, nats.errors.Error) as exc:
        raise StackDown(f"no nats-server answers at {url} ({type(exc).__name__})") from None


async def with_client(url: str, work: Callable[[Client], Awaitable[T]]) -> T:
    client = await connect(url)
    try:
        return await work(client)
    finally:
        await client.close()


# streams
async def stream_infos(client: Client) -> list[StreamInfo]:
    infos = await client.jetstream(timeout=API_TIMEOUT_S).streams_info()
    return sorted(infos, key=lambda s: s.config.name or "")


def stream_row(info: StreamInfo) -> dict[str, Any]:
    state, config = info.state, info.config
    return {
        "stream": config.name,
        "subjects": list(config.subjects or []),
        "messages": state.messages,
        "bytes": state.bytes,
        "first_seq": state.first_seq,
        "last_seq": state.last_seq,
        "consumers": state.consumer_count,
        "storage": str(getattr(config.storage, "value", config.storage) or ""),
        "replicas": config.num_replicas,
    }


def render_streams(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no streams (no service has started against this server yet)"
    lines = [f"{'STREAM':<24} {'MSGS':>8} {'BYTES':>10} {'FIRST':>8} {'LAST':>8} {'CONS':>5}  SUBJECTS"]
    for r in rows:
        lines.append(
            f"{r['stream']:<24} {r['messages']:>8} {r['bytes']:>10} {r['first_seq']:>8} {r['last_seq']:>8} "
            f"{r['consumers']:>5}  {' '.join(r['subjects'])}"
        )
    return "\n".join(lines)


async def streams(url: str) -> list[dict[str, Any]]:
    return await with_client(url, lambda c: _streams(c))


async def _streams(client: Client) -> list[dict[str, Any]]:
    return [stream_row(info) for info in await stream_infos(client)]


# consumers
def _when(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def consumer_row(info: ConsumerInfo) -> dict[str, Any]:
    delivered, acked = info.delivered, info.ack_floor
    times = [t for t in (delivered and delivered.last_active, acked and acked.last_active) if t]
    return {
        "stream": info.stream_name,
        "consumer": info.name,
        "pending": info.num_pending or 0,
        "ack_pending": info.num_ack_pending or 0,
        "redelivered": info.num_redelivered or 0,
        "waiting": info.num_waiting or 0,
        "delivered_seq": delivered.stream_seq if delivered else 0,
        "last_active": _when(max(times)) if times else None,
    }


async def _consumers(client: Client, stream: str | None) -> list[dict[str, Any]]:
    js = client.jetstream(timeout=API_TIMEOUT_S)
    names = [stream] if stream else [s.config.name for s in await stream_infos(client) if s.config.name]
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            infos = await js.consumers_info(name)
        except nats.js.errors.NotFoundError:
            raise LookupError(f"no stream {name!r} (see `autoapply bus streams`)") from None
        rows += [consumer_row(info) for info in sorted(infos, key=lambda i: i.name)]
    return rows


async def consumers(url: str, stream: str | None = None) -> list[dict[str, Any]]:
    return await with_client(url, lambda c: _consumers(c, stream))


def render_consumers(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no consumers"
    head = f"{'STREAM':<22} {'CONSUMER':<36} {'PENDING':>7} {'ACK_PEND':>8} {'REDELIV':>7} {'WAITING':>7}  LAST ACTIVE"
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['stream']:<22} {r['consumer']:<36} {r['pending']:>7} {r['ack_pending']:>8} "
            f"{r['redelivered']:>7} {r['waiting']:>7}  {r['last_active'] or 'never'}"
        )
    return "\n".join(lines)


# tail
def scrubbed(data: Any, key: str = "") -> Any:
    """An event's dump fit to print: personal keys redacted whole, personal shapes in any string."""
    if key and secret_key(key):
        return REDACTED
    if isinstance(data, dict):
        return {k: scrubbed(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [scrubbed(item) for item in data]
    return scrub_text(data) if isinstance(data, str) else data


def tail_line(msg: Msg) -> dict[str, Any]:
    """One message as printed by `tail`: its subject, type and the scrubbed event, or why it is not one."""
    line: dict[str, Any] = {"subject": msg.subject}
    try:
        event = decode(msg.subject, msg.data)
    except PermanentError as exc:
        return {**line, "error": scrub_text(exc.reason)}
    dump = event.model_dump(mode="json")
    remember_personal(dump)  # a name under a personal key is also hidden where free text repeats it
    return {**line, "type": event.TYPE, "event": scrubbed(dump)}


async def tail(url: str, subject: str, count: int | None, out: TextIO = sys.stdout) -> int:
    """Prints each message on subject as one JSON line until count are printed (or forever)."""
    client = await connect(url)
    queue: asyncio.Queue[Msg] = asyncio.Queue()
    try:
        await client.subscribe(subject, cb=queue.put)
        await client.flush(timeout=API_TIMEOUT_S)  # the subscription is live before we say so
        print(f"# tailing {subject} on {url} (Ctrl-C stops)", file=sys.stderr, flush=True)
        printed = 0
        while count is None or printed < count:
            msg = await queue.get()
            print(json.dumps(tail_line(msg), sort_keys=True), file=out, flush=True)
            printed += 1
        return printed
    finally:
        await client.close()
