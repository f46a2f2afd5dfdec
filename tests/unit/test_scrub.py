"""Secrets and personal data never leave the process in a span."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runtime.scrub import REDACTED, ScrubbingSpanProcessor, scrub_attributes, secret_key

pytestmark = pytest.mark.unit


def test_secret_keys_and_personal_values_are_redacted() -> None:
    clean = scrub_attributes(
        {
            "user.email": "ada@example.com",
            "http.request.header.authorization": "Bearer abc.def",
            "autoapply.task_id": "3f1c",
            "note": "call +1 (415) 555-0100 or write to ada@example.com",
            "messaging.destination.name": "task.queued.normal.3f1c",
            "count": 3,
        }
    )
    assert clean["user.email"] == REDACTED
    assert clean["http.request.header.authorization"] == REDACTED
    assert clean["autoapply.task_id"] == "3f1c"
    assert "555" not in clean["note"] and "ada@" not in clean["note"]
    assert clean["messaging.destination.name"] == "task.queued.normal.3f1c"
    assert clean["count"] == 3


def test_the_exporter_only_sees_scrubbed_spans() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    with provider.get_tracer("t").start_as_current_span("fill") as span:
        span.set_attribute("field.value", "Ada Lovelace")
        span.set_attribute("api_key", "sk-ant-0123456789")
        span.add_event("typed", {"phone": "+44 20 7946 0000", "selector": "#first_name"})
    (exported,) = exporter.get_finished_spans()
    assert exported.attributes == {"field.value": REDACTED, "api_key": REDACTED}
    assert exported.events[0].attributes == {"phone": REDACTED, "selector": "#first_name"}


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("http.response.status_code", False),
        ("http.status_code", False),
        ("db.statement", False),
        ("autoapply.consumer", False),
        ("messaging.message.body.size", False),
        ("candidate.first_name", True),
        ("x-api-key", True),
        ("anthropic.api_key", True),
        ("form.field.value", True),
        ("security_code.otp", True),
        ("resume.address", True),
    ],
)
def test_keys_are_judged_by_their_words(key: str, secret: bool) -> None:
    assert secret_key(key) is secret
