"""Personal data never leaves a real service: a task carrying a name, an e-mail address, a phone
number and a postal address fails in intake's handler; the exported spans, the service's log and
the dead letter's reason hold none of them, and every task id is intact."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from autoapply.local.nats import NatsServer
from autoapply.local.traces_site import TraceExplorer
from contracts.human import HumanNeeded, Question
from contracts.states import TaskState
from contracts.streams import DEAD_LETTER_STREAM
from contracts.tasks import TaskQueued
from runtime.bus import Bus
from runtime.deadletter import list_dead_letters
from runtime.scrub import ScrubbingSpanProcessor
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


async def test_one_task_is_one_trace_across_services_over_otlp_with_nothing_personal(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    """A task queued and then needing a person passes through takeover (which writes task.progress
    to its outbox) and intake (which reads everything); every span goes over OTLP to the trace
    explorer, and the task is one trace there, with no personal value in any span."""
    queued, needed = _task_needing_a_person()
    with TraceExplorer(tmp_path / "traces") as explorer:
        provider = _otlp_provider(explorer)
        bus = Bus([nats.url], unique("publisher"), tracer_provider=provider)
        export = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": explorer.otlp_traces_url, "OTEL_BSP_SCHEDULE_DELAY": "200"}
        children = []
        try:
            for name in ("intake", "takeover"):
                env = {**service_env(name, nats.url, fresh_database, redis_url, tmp_path), **export}
                children.append(Child(f"services.{name}", env, tmp_path / f"{name}.log"))
            for child in children:
                await wait_healthy(child)
            await bus.connect()
            with provider.get_tracer("test").start_as_current_span("a test submits a task") as root:
                await bus.publish(queued)
                await bus.publish(needed)
            trace_id = format(root.get_span_context().trace_id, "032x")
            await eventually(lambda: _has_span(explorer, trace_id, "intake", "handle task.progress"), timeout_s=45)
        finally:
            for child in children:
                child.stop()  # flushes the spans
            await bus.close()
            provider.shutdown()
        spans = await asyncio.to_thread(_spans, explorer, trace_id)
        everything = (explorer.directory / "spans.jsonl").read_text()  # every span it received
    assert {s["service"] for s in spans} >= {"test", "takeover", "intake"}
    handled = {(s["service"], s["name"]) for s in spans}
    assert ("takeover", "outbox relay") in handled  # task.progress left takeover's outbox in this trace
    assert {("takeover", "handle human.needed"), ("intake", "handle task.progress")} <= handled
    assert {str(s["attributes"].get("autoapply.task_id", queued.task_id)) for s in spans} == {str(queued.task_id)}
    assert _leaks(everything) == []


def _task_needing_a_person() -> tuple[TaskQueued, HumanNeeded]:
    queued = queued_event(preferences=PERSON, job_url=f"https://jobs.example.org/apply?ref={PERSON['email']}")
    needed = HumanNeeded(
        task_id=queued.task_id,
        user_id=queued.user_id,
        reason=f"no answer for {PERSON['full_name']}'s question",
        page_url=str(queued.job_url),
        fields=(Question(label=f"Is {PERSON['home_address']} your home?"),),
        resume_state=TaskState.EXECUTING_RPA,
    )
    return queued, needed


def _otlp_provider(explorer: TraceExplorer) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": "test"}))
    exporter = OTLPSpanExporter(endpoint=explorer.otlp_traces_url, timeout=10)
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    return provider


def _spans(explorer: TraceExplorer, trace_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{explorer.url}/api/traces/{trace_id}", timeout=10)
    return list(answer.json()["spans"]) if answer.status_code == 200 else []


async def _has_span(explorer: TraceExplorer, trace_id: str, service: str, name: str) -> bool:
    spans = await asyncio.to_thread(_spans, explorer, trace_id)
    return any(s["service"] == service and s["name"] == name for s in spans)
