"""Poison events in the soak: a few malformed messages published straight to the events stream as
the tasks start, and at the end the check that each is in the dead letters once for every durable
consumer its subject reaches, with the decoder's reason, and that nothing else is. A consumer that
has not been given the message yet (it is behind a backlog, as the tasks still QUEUED are) is
reported apart: that letter is neither missing nor due yet."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM
from runtime.deadletter import H_CONSUMER, H_REASON, H_STREAM_SEQ

# Subject pattern, body, the event type the decoder names in its reason. Each a different way of
# being poison: not JSON at all; JSON without the envelope; an envelope with a field of the wrong
# type (a task id that is not a UUID).
KINDS = (
    ("task.queued.normal.{id}", b"{not json", "task.queued"),
    ("profile.ready.{id}", json.dumps({"type": "profile.ready"}).encode(), "profile.ready"),
    (
        "application.submitted.{id}",
        json.dumps({"type": "application.submitted", "task_id": "not-a-uuid", "event_id": "x"}).encode(),
        "application.submitted",
    ),
)
# How long the end of the run waits for a poison event's last dead letter (a consumer paused by a
# fault a moment ago).
SETTLE_S = 30.0


@dataclass
class Poison:
    servers: list[str]
    sent: dict[int, tuple[str, str]] = field(default_factory=dict)  # stream seq -> (subject, event type)

    async def inject(self) -> None:
        client = await nats.connect(self.servers, connect_timeout=5)
        try:
            js = client.jetstream()
            for subject, body, kind in KINDS:
                subject = subject.format(id=uuid.uuid4())
                ack = await js.publish(
                    subject, body, stream=EVENTS_STREAM, headers={"Nats-Msg-Id": f"soak-poison-{uuid.uuid4()}"}
                )
                self.sent[ack.seq] = (subject, kind)
        finally:
            await client.close()

    async def check(self) -> dict[str, Any]:
        """Expected letters (consumer, seq) against the dead letters, waiting SETTLE_S for late ones.
        A check that cannot be made says why, so the soak's final line is still printed."""
        try:
            return await self._check()
        except Exception as exc:
            return {"injected": len(self.sent), "error": repr(exc), "missing": ["not checked"]}

    async def _check(self) -> dict[str, Any]:
        client = await nats.connect(self.servers, connect_timeout=5)
        try:
            js = client.jetstream()
            expected = await self._expected(js)
            deadline = time.monotonic() + SETTLE_S
            while True:
                found = await letters(js)
                missing = sorted(expected - set(found))
                if not missing or time.monotonic() > deadline:
                    break
                await asyncio.sleep(2)
            undelivered = await _undelivered(js, missing)
        finally:
            await client.close()
        report = self._report(expected, found, [m for m in missing if m not in undelivered])
        # Behind the consumer's backlog (the tasks still QUEUED): neither lost nor dead yet.
        report["not_delivered_yet"] = [f"{consumer} seq {seq}" for consumer, seq in undelivered]
        return report

    async def _expected(self, js: JetStreamContext) -> set[tuple[str, int]]:
        consumers = await js.consumers_info(EVENTS_STREAM)
        expected = set()
        # Durable consumers only: the ephemeral ones (a live view's, a watcher's) keep no dead letters.
        for info in (c for c in consumers if c.config.durable_name):
            filters = info.config.filter_subjects or (
                [info.config.filter_subject] if info.config.filter_subject else []
            )
            for seq, (subject, _) in self.sent.items():
                if not filters or any(matches(f, subject) for f in filters):
                    expected.add((info.name, seq))
        return expected

    def _report(
        self, expected: set[tuple[str, int]], found: dict[tuple[str, int], str], missing: list[tuple[str, int]]
    ) -> dict[str, Any]:
        wrong_reason = sorted(
            f"{consumer} seq {seq}: {found[(consumer, seq)]}"
            for consumer, seq in expected & set(found)
            if f"invalid {self.sent[seq][1]} event" not in found[(consumer, seq)]
        )
        unexpected = sorted(
            f"{consumer} seq {seq}: {reason}"
            for (consumer, seq), reason in found.items()
            if (consumer, seq) not in expected
        )
        return {
            "injected": len(self.sent),
            "expected_letters": len(expected),
            "missing": [f"{consumer} seq {seq} ({self.sent[seq][0]})" for consumer, seq in missing],
            "wrong_reason": wrong_reason,
            "unexpected": unexpected,
        }


async def _undelivered(js: JetStreamContext, letters: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The (consumer, seq) the consumer has not been given yet: its delivered sequence is below."""
    behind = []
    for consumer, seq in letters:
        info = await js.consumer_info(EVENTS_STREAM, consumer)
        if info.delivered is None or (info.delivered.stream_seq or 0) < seq:
            behind.append((consumer, seq))
    return behind


async def letters(js: JetStreamContext) -> dict[tuple[str, int], str]:
    """Every dead letter's (consumer, original stream sequence) and its reason."""
    info = await js.stream_info(DEAD_LETTER_STREAM)
    found: dict[tuple[str, int], str] = {}
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        try:
            msg = await js.get_msg(DEAD_LETTER_STREAM, seq)
        except NotFoundError:
            continue  # replayed and removed
        headers = msg.headers or {}
        found[(headers.get(H_CONSUMER, ""), int(headers.get(H_STREAM_SEQ, "0")))] = headers.get(H_REASON, "")
    return found


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, `>` the rest (one token or more)."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token != "*" and token != have[i]):
            return False
    return len(want) == len(have)
