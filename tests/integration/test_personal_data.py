"""Personal data never leaves a real service: a task carrying a name, an e-mail address, a phone
number and a postal address fails in intake's handler; the exported spans, the service's log and
the dead letter's reason hold none of them, and every task id is intact."""

import json
import uuid
from pathlib import Path

import asyncpg
import pytest

from autoapply.local.nats import NatsServer
from contracts.streams import DEAD_LETTER_STREAM
from runtime.bus import Bus
from runtime.deadletter import list_dead_letters
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration

PERSON = {
    "email": "maren.quistgaard@example.org",
    "phone": "+1 415 555 0142",
    "home_address": "17 Larkspur Lane, Springfield",
    "full_name": "Maren Quistgaard",
}
# Each value and the parts a log line or an error could quote on their own.
LEAKS = ("quistgaard", "maren", "larkspur", "555 0142", "5550142", "maren.quistgaard%40example.org")


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [leak for leak in (*LEAKS, *(v.lower() for v in PERSON.values())) if leak in low]


async def test_a_failing_task_leaves_no_personal_data_in_spans_logs_or_dead_letters(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    trace_file = tmp_path / "spans.jsonl"
    env = {
        **service_env("intake", nats.url, fresh_database, redis_url, tmp_path),
        "AUTOAPPLY_TRACE_FILE": str(trace_file),
    }
    intake = Child("services.intake", env, tmp_path / "intake.log")
    bus = Bus([nats.url], unique("publisher"))
    # PostgreSQL refuses a NUL character in JSON and quotes the data just before it in its error.
    poisoned = queued_event(
        preferences={**PERSON, "note": "see the attached letter\x00"},
        job_url=f"https://jobs.example.org/apply?ref={PERSON['email'].replace('@', '%40')}",
    )
    fine = queued_event()
    try:
        await wait_healthy(intake)
        await bus.connect()
        await bus.publish(fine)
        await bus.publish(poisoned)
        await eventually(lambda: _dead_letters(bus, 1), timeout_s=30)
        (letter,) = await list_dead_letters(bus.js)
        conn = await asyncpg.connect(fresh_database)
        try:
            await eventually(lambda: _has_task(conn, fine.task_id), timeout_s=20)
        finally:
            await conn.close()
    finally:
        intake.stop()  # flushes the spans
        await bus.close()
    log, spans = intake.log.read_text(), trace_file.read_text()
    assert _leaks(spans) == []
    assert _leaks(log) == [], log
    assert _leaks(letter.reason) == [] and _leaks(json.dumps(letter.headers)) == []
    assert "read model refused task.queued" in letter.reason and "[redacted]" in letter.reason
    assert PERSON["full_name"] in letter.payload.decode()  # the event itself is kept, for replay
    assert str(poisoned.task_id) in log and f"task.queued.normal.{poisoned.task_id}" in letter.subject
    _assert_task_ids_intact(spans, {str(fine.task_id), str(poisoned.task_id)})


def _assert_task_ids_intact(spans: str, task_ids: set[str]) -> None:
    """Every span naming a task names it whole: its task id attribute and its subject."""
    named: set[str] = set()
    for line in spans.splitlines():
        attributes = json.loads(line)["attributes"]
        if "autoapply.task_id" in attributes:
            named.add(attributes["autoapply.task_id"])
        subject = attributes.get("messaging.destination.name", "")
        if subject.startswith("task."):
            named.add(subject.rsplit(".", 1)[1])
    assert named == task_ids


async def _dead_letters(bus: Bus, n: int) -> bool:
    try:
        return bool((await bus.js.stream_info(DEAD_LETTER_STREAM)).state.messages >= n)
    except Exception:  # the stream is declared by the service at start
        return False


async def _has_task(conn: asyncpg.Connection, task_id: uuid.UUID) -> bool:
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM intake.tasks WHERE task_id = $1", task_id))
    except asyncpg.UndefinedTableError:
        return False
