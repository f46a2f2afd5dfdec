"""`autoapply bus streams | consumers | tail` and the operator's errors, against a real nats-server."""

import asyncio
import json
import subprocess
import sys
import time

import pytest

from autoapply import cli
from autoapply.local.nats import NatsServer
from contracts.streams import DEAD_LETTER_STREAM, EVENTS_STREAM
from runtime import streams
from runtime.bus import Bus
from tests.processes import ROOT
from tests.support import queued_event, queued_spec, unique

pytestmark = pytest.mark.integration

PERSON = {"full_name": "Ilse Vandermolen", "email": "ilse.vandermolen@example.org", "phone": "+1 415 555 0187"}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


async def _three_queued_one_durable(url: str, durable: str) -> None:
    bus = Bus([url], unique("ops"))
    await bus.connect()
    try:
        await streams.declare_consumer(bus.js, queued_spec(durable), EVENTS_STREAM, 1)
        for _ in range(3):
            await bus.publish(queued_event())
    finally:
        await bus.close()


def test_streams_and_consumers_show_the_backlog(nats: NatsServer, capsys: pytest.CaptureFixture[str]) -> None:
    durable = unique("ops")
    asyncio.run(_three_queued_one_durable(nats.url, durable))
    code, out, _ = _run(capsys, "bus", "--nats-url", nats.url, "streams", "--json")
    assert code == 0
    by_name = {row["stream"]: row for row in json.loads(out)}
    assert by_name[EVENTS_STREAM]["messages"] == 3 and by_name[EVENTS_STREAM]["consumers"] == 1
    assert DEAD_LETTER_STREAM in by_name
    code, out, _ = _run(capsys, "bus", "--nats-url", nats.url, "consumers", "--stream", EVENTS_STREAM, "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["consumer"] == durable and row["pending"] == 3 and row["ack_pending"] == 0
    assert row["redelivered"] == 0 and row["last_active"] is None  # nothing fetched yet
    code, out, _ = _run(capsys, "bus", "--nats-url", nats.url, "consumers")
    assert code == 0 and durable in out and "PENDING" in out


def test_a_down_server_and_a_missing_name_are_one_line_and_non_zero(
    nats: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = nats.url
    nats.stop()
    for args in (("bus", "streams"), ("bus", "consumers"), ("dlq", "list"), ("dlq", "replay", "7")):
        code, out, err = _run(capsys, args[0], "--nats-url", url, *args[1:])
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "no nats-server answers" in err and "autoapply status" in err


def test_a_stream_or_dead_letter_that_does_not_exist_is_named(
    nats: NatsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "bus", "--nats-url", nats.url, "consumers", "--stream", "NO_SUCH")
    assert code == 3 and "no stream 'NO_SUCH'" in err
    code, _, err = _run(capsys, "dlq", "--nats-url", nats.url, "replay", "999")
    assert code == 3 and "no dead letter 999" in err


def test_no_stack_in_home_says_to_start_one(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "bus", "--home", str(tmp_path), "streams")
    assert code == 1 and "run `autoapply up` first" in err


async def test_tail_prints_decoded_events_with_personal_data_scrubbed(nats: NatsServer) -> None:
    tail = await asyncio.to_thread(_start_tail, nats.url)
    try:
        await asyncio.to_thread(_wait_for_tailing, tail)
        bus = Bus([nats.url], unique("ops"))
        await bus.connect()
        try:
            events = [queued_event(preferences=PERSON), queued_event()]
            for event in events:
                await bus.publish(event)
        finally:
            await bus.close()
        out, _ = await asyncio.to_thread(tail.communicate, timeout=60)
    finally:
        tail.kill()
    assert tail.returncode == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event"]["task_id"] for line in lines] == [str(e.task_id) for e in events]
    assert {line["type"] for line in lines} == {"task.queued"}
    assert lines[0]["subject"] == f"task.queued.normal.{events[0].task_id}"
    for leak in ("vandermolen", "ilse", "555 0187", "example.org"):
        assert leak not in out.lower()


def _start_tail(url: str) -> "subprocess.Popen[str]":
    argv = [sys.executable, "-m", "autoapply.cli", "bus", "--nats-url", url, "tail", "task.>", "--count", "2"]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_tailing(proc: "subprocess.Popen[str]") -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("# tailing"):
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"tail did not start: {proc.stderr.read()}")
