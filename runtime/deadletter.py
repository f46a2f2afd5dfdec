"""Dead letters: copies each message the server gave up on, with its reason, for listing and replay.

The server announces a message that reached max_deliver or was terminated with an advisory; the
advisories are captured in a stream (so none is lost while every service is down) and each
service copies the ones of its own consumers into the dead-letter stream, keeping the original
subject, payload and headers. The copy's Nats-Msg-Id is derived from the original stream
sequence, so several instances copying the same advisory store it once.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.streams import (
    DEAD_LETTER_STREAM,
    DEAD_LETTER_SUBJECT_PREFIX,
    EVENTS_STREAM,
    ConsumerSpec,
)

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


def relay_spec(service: str, consumers: list[str]) -> ConsumerSpec:
    """The durable that reads this service's advisories."""
    subjects = tuple(
        f"$JS.EVENT.ADVISORY.CONSUMER.{kind}.{EVENTS_STREAM}.{name}"
        for name in consumers
        for kind in (MAX_DELIVERIES, TERMINATED)
    )
    return ConsumerSpec(
        durable=f"{service}-deadletters",
        filter_subjects=subjects,
        ack_wait_s=30,
        max_deliver=10,
        backoff_s=(1, 5, 15),
        max_ack_pending=16,
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
        H_REASON: reason_of(advisory, kind)[:1000],
        H_CONSUMER: consumer,
        H_STREAM_SEQ: str(seq),
        H_DELIVERIES: str(advisory.get("deliveries", "")),
        "Nats-Msg-Id": f"dlq-{consumer}-{seq}",
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
        f"{DEAD_LETTER_SUBJECT_PREFIX}.{consumer}.{seq}", payload, headers=headers, stream=DEAD_LETTER_STREAM
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
