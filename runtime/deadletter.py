"""Dead letters: every message the bus or the server gave up on, with its reason, for listing and replay.

Before terminating a message the bus publishes its dead letter itself (payload, subject,
headers, reason, consumer, deliveries) and waits for the stream's ack; if that fails it naks
instead, so a dead letter is never lost. A message whose handler died or hung on every delivery
reaches the server's max_deliver: the server's advisory is captured in a stream (so none is lost
while every service is down) and each service copies the ones of its own consumers, reading the
original by sequence. Both paths derive the Nats-Msg-Id from the consumer and the original
stream sequence, so several copies of one dead letter are stored once.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.streams import (
    DEAD_LETTER_STREAM,
    DEAD_LETTER_SUBJECT_PREFIX,
    EVENTS_STREAM,
    ConsumerSpec,
)
from runtime.scrub import scrub_text

log = logging.getLogger(__name__)

MAX_DELIVERIES = "MAX_DELIVERIES"
TERMINATED = "MSG_TERMINATED"
H_SUBJECT = "Autoapply-Dlq-Subject"
H_REASON = "Autoapply-Dlq-Reason"
H_CONSUMER = "Autoapply-Dlq-Consumer"
H_STREAM_SEQ = "Autoapply-Dlq-Stream-Seq"
H_DELIVERIES = "Autoapply-Dlq-Deliveries"
H_ORIGINAL_ID = "Autoapply-Dlq-Original-Msg-Id"
_OWN = (H_SUBJECT, H_REASON, H_CONSUMER, H_STREAM_SEQ, H_DELIVERIES, H_ORIGINAL_ID, "Nats-Msg-Id")
# The dead-letter stream must confirm within this, or the message is naked instead of terminated.
PUBLISH_TIMEOUT_S = 5.0
MAX_REASON_CHARS = 1000


def reason_text(text: str) -> str:
    """Every reason the bus writes (logs, +TERM, dead letters) passes here: one line, bounded, scrubbed."""
    return scrub_text(" ".join(text.split()))[:MAX_REASON_CHARS]


def letter_id(consumer: str, stream_seq: int) -> str:
    return f"dlq-{consumer}-{stream_seq}"


async def publish_dead_letter(js: JetStreamContext, msg: Msg, consumer: str, reason: str) -> None:
    """Stores the message as a dead letter and waits for the stream's ack (raises if it fails)."""
    meta = msg.metadata
    seq = meta.sequence.stream
    headers = {
        **_original_headers(msg.headers),
        H_SUBJECT: msg.subject,
        H_REASON: reason_text(reason),
        H_CONSUMER: consumer,
        H_STREAM_SEQ: str(seq),
        H_DELIVERIES: str(meta.num_delivered),
        "Nats-Msg-Id": letter_id(consumer, seq),
    }
    subject = f"{DEAD_LETTER_SUBJECT_PREFIX}.{consumer}.{seq}"
    await js.publish(subject, msg.data or b"", headers=headers, stream=DEAD_LETTER_STREAM, timeout=PUBLISH_TIMEOUT_S)
    log.warning("dead letter: %s seq %s: %s", consumer, seq, headers[H_REASON])


def relay_spec(service: str, consumers: list[str]) -> ConsumerSpec:
    """The durable that reads this service's max-deliveries advisories (the bus itself stores the
    dead letter of every message it terminates, so terminated advisories need no copy)."""
    subjects = tuple(f"$JS.EVENT.ADVISORY.CONSUMER.{MAX_DELIVERIES}.{EVENTS_STREAM}.{name}" for name in consumers)
    return ConsumerSpec(
        durable=f"{service}-deadletters",
        filter_subjects=subjects,
        ack_wait_s=30,
        max_deliver=10,
        backoff_s=(1, 5, 15),
        max_ack_pending=16,
        max_run_s=60,
        start_from="all",  # an advisory captured before this durable existed is still copied
    )


def reason_of(advisory: dict[str, Any], kind: str) -> str:
    if kind == TERMINATED:
        return str(advisory.get("reason") or "terminated")
    return f"max deliveries ({advisory.get('deliveries')}) reached without an ack"


async def copy_to_dead_letters(js: JetStreamContext, subject: str, data: bytes) -> None:
    """Turns one advisory into one dead letter."""
    advisory = json.loads(data)
    kind = TERMINATED if ".MSG_TERMINATED." in subject else MAX_DELIVERIES
    seq = int(advisory["stream_seq"])
    consumer = str(advisory["consumer"])
    headers = {
        H_REASON: reason_text(reason_of(advisory, kind)),
        H_CONSUMER: consumer,
        H_STREAM_SEQ: str(seq),
        H_DELIVERIES: str(advisory.get("deliveries", "")),
        "Nats-Msg-Id": letter_id(consumer, seq),
    }
    payload = b""
    try:
        original = await js.get_msg(advisory.get("stream", EVENTS_STREAM), seq)
        payload = original.data or b""
        headers.update(_original_headers(original.headers))
        headers[H_SUBJECT] = original.subject or ""
    except NotFoundError:
        headers[H_SUBJECT] = ""
        headers[H_REASON] += " (the original message had already expired)"
    await js.publish(
        f"{DEAD_LETTER_SUBJECT_PREFIX}.{consumer}.{seq}",
        payload,
        headers=headers,
        stream=DEAD_LETTER_STREAM,
        timeout=PUBLISH_TIMEOUT_S,
    )
    log.warning("dead letter: %s seq %s: %s", consumer, seq, headers[H_REASON])


def _original_headers(headers: dict[str, str] | None) -> dict[str, str]:
    kept = {k: v for k, v in (headers or {}).items() if k not in _OWN}
    if headers and "Nats-Msg-Id" in headers:
        kept[H_ORIGINAL_ID] = headers["Nats-Msg-Id"]
    return kept


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    consumer: str
    subject: str
    reason: str
    deliveries: str
    original_msg_id: str
    headers: dict[str, str]
    payload: bytes

    def summary(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "consumer": self.consumer,
            "subject": self.subject,
            "reason": self.reason,
            "deliveries": self.deliveries,
            "bytes": len(self.payload),
        }


async def list_dead_letters(js: JetStreamContext, limit: int = 100) -> list[DeadLetter]:
    info = await js.stream_info(DEAD_LETTER_STREAM)
    letters: list[DeadLetter] = []
    seq = info.state.first_seq
    while seq and seq <= info.state.last_seq and len(letters) < limit:
        try:
            letters.append(_letter(seq, await js.get_msg(DEAD_LETTER_STREAM, seq)))
        except NotFoundError:
            pass  # replayed and removed
        seq += 1
    return letters


def _letter(seq: int, msg: Any) -> DeadLetter:
    headers = dict(msg.headers or {})
    return DeadLetter(
        seq=seq,
        consumer=headers.get(H_CONSUMER, ""),
        subject=headers.get(H_SUBJECT, ""),
        reason=headers.get(H_REASON, ""),
        deliveries=headers.get(H_DELIVERIES, ""),
        original_msg_id=headers.get(H_ORIGINAL_ID, ""),
        headers=_original_headers_only(headers),
        payload=msg.data or b"",
    )


def _original_headers_only(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if not k.startswith("Autoapply-Dlq-") and k != "Nats-Msg-Id"}


async def replay(js: JetStreamContext, seq: int) -> str:
    """Publishes a dead letter again on its original subject, then removes it from the dead letters.

    It gets a new Nats-Msg-Id (the original may still be inside the duplicate window); consumers
    still recognise the event by its event_id, which never ran to completion.
    """
    letter = _letter(seq, await js.get_msg(DEAD_LETTER_STREAM, seq))
    if not letter.subject:
        raise ValueError(f"dead letter {seq} has no original subject to replay to")
    headers = {**letter.headers, "Nats-Msg-Id": f"replay-{seq}-{letter.original_msg_id}"}
    await js.publish(letter.subject, letter.payload, headers=headers, stream=EVENTS_STREAM)
    await js.delete_msg(DEAD_LETTER_STREAM, seq)
    return letter.subject
