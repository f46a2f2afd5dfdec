"""`autoapply dlq list | replay` against a real server holding a real dead letter."""

import asyncio
import json
import subprocess
import sys

import pytest

from autoapply.local.nats import NatsServer
from contracts.envelope import Event
from contracts.streams import ADVISORY_STREAM, DEAD_LETTER_STREAM
from runtime import deadletter
from runtime.bus import Bus, Delivery
from runtime.errors import PermanentError
from tests.processes import ROOT
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


def autoapply(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autoapply.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


async def test_dead_letters_are_listed_and_replayed_from_the_command_line(nats: NatsServer) -> None:
    applied: list[Event] = []
    bus = Bus([nats.url], unique("svc"))
    spec = queued_spec()

    async def handle(event: Event, delivery: Delivery) -> None:
        if delivery.headers.get("Nats-Msg-Id", "").startswith("replay-"):
            applied.append(event)
            return
        raise PermanentError("no answer for 'Are you legally authorized to work here?'")

    bus.subscribe(spec, handle)
    relay = deadletter.relay_spec(unique("svc"), [spec.durable])
    bus.subscribe_raw(relay, ADVISORY_STREAM, lambda m: deadletter.copy_to_dead_letters(bus.js, m.subject, m.data))
    await bus.start()
    try:
        event = queued_event()
        await bus.publish(event)
        await eventually(lambda: _dead(bus, 1))
        listed = await asyncio.to_thread(autoapply, "dlq", "--nats-url", nats.url, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        (letter,) = json.loads(listed.stdout)
        assert letter["consumer"] == spec.durable and "legally authorized" in letter["reason"]
        assert letter["subject"] == f"task.queued.normal.{event.task_id}"
        replayed = await asyncio.to_thread(autoapply, "dlq", "--nats-url", nats.url, "replay", str(letter["seq"]))
        assert replayed.returncode == 0, replayed.stderr
        await eventually(lambda: [e.event_id for e in applied] == [event.event_id])
        assert await _dead(bus, 0)
    finally:
        await bus.close()


def test_a_bad_sequence_number_is_a_clear_error(nats: NatsServer) -> None:
    done = autoapply("dlq", "--nats-url", nats.url, "replay", "999")
    assert done.returncode == 3 and "autoapply dlq replay: no dead letter 999" in done.stderr


async def _dead(bus: Bus, n: int) -> bool:
    return (await bus.js.stream_info(DEAD_LETTER_STREAM)).state.messages == n
