"""One trace per task through the bus: handling spans name the consumer, subject, event type and
task; step spans hang under them; nothing personal reaches the exporter."""

import json

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from autoapply.local.nats import NatsServer
from contracts.envelope import Event
from runtime import telemetry
from runtime.bus import Bus, Delivery
from runtime.errors import TransientError
from runtime.scrub import ScrubbingSpanProcessor
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration

EMAIL = "tomasz.brevik@example.org"


def _provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    return provider, exporter


async def test_handling_and_step_spans_share_the_producers_trace(nats: NatsServer) -> None:
    provider, exporter = _provider()
    bus = Bus([nats.url], unique("traced"), tracer_provider=provider)
    spec = queued_spec(backoff_s=(0.2,))
    tries: list[int] = []

    async def handle(event: Event, delivery: Delivery) -> None:
        tries.append(delivery.num_delivered)
        with telemetry.step("navigate", provider, platform="greenhouse"):
            pass
        with telemetry.step("fill field", provider, field="email", provenance="profile", typed=EMAIL):
            if delivery.num_delivered == 1:
                raise TransientError(f"could not type {EMAIL}")

    bus.subscribe(spec, handle)
    await bus.start()
    event = queued_event()
    try:
        with provider.get_tracer("test").start_as_current_span("accept task") as root:
            await bus.publish(event)
        await eventually(lambda: tries == [1, 2] and len(_named(exporter, "handle task.queued")) == 2)
    finally:
        await bus.close()
    spans = exporter.get_finished_spans()
    assert {s.context.trace_id for s in spans} == {root.get_span_context().trace_id}
    handles = _named(exporter, "handle task.queued")
    for handling in handles:
        attrs = dict(handling.attributes or {})
        assert attrs["autoapply.consumer"] == spec.durable
        assert attrs["autoapply.event_type"] == "task.queued"
        assert attrs["autoapply.task_id"] == str(event.task_id)
        assert attrs["messaging.destination.name"] == f"task.queued.normal.{event.task_id}"
    assert sorted(dict(h.attributes or {})["messaging.nats.delivered"] for h in handles) == [1, 2]
    steps = _named(exporter, "step fill field")
    assert len(steps) == 2 and {s.parent.span_id for s in steps if s.parent} == {h.context.span_id for h in handles}
    failed = next(s for s in steps if not s.status.is_ok)
    assert failed.status.description == "TransientError"  # the type, never the message
    assert dict(steps[0].attributes or {})["autoapply.field"] == "email"
    assert dict(steps[0].attributes or {})["autoapply.provenance"] == "profile"
    exported = json.dumps([json.loads(s.to_json()) for s in spans])
    assert "tomasz" not in exported.lower() and "brevik" not in exported.lower()


def _named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]
