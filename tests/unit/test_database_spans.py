"""runtime.telemetry.database: one span for a hot path's statements, a child of the request's, named
by the operation; the statements inside make none of their own; a failure says its type only."""

import pytest
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from runtime import telemetry

pytestmark = pytest.mark.unit


def recording() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_one_client_span_under_the_request_and_none_from_the_instrumentors_inside() -> None:
    provider, exporter = recording()
    with provider.get_tracer("test").start_as_current_span("POST /api/v1/tasks") as request:
        with telemetry.database("SELECT accept_task", provider):
            assert not is_instrumentation_enabled()  # asyncpg's and Redis's instrumentors stand aside
        assert is_instrumentation_enabled()
    db_span, server = exporter.get_finished_spans()
    assert (db_span.name, db_span.kind) == ("SELECT accept_task", SpanKind.CLIENT)
    assert db_span.parent is not None and db_span.parent.span_id == request.get_span_context().span_id
    assert dict(db_span.attributes or {}) == {"db.system": "postgresql", "db.operation.name": "SELECT accept_task"}
    assert server.name == "POST /api/v1/tasks"


def test_a_failure_marks_the_span_with_its_type_not_its_text() -> None:
    provider, exporter = recording()
    with pytest.raises(ValueError), telemetry.database("SELECT accept_inputs", provider):
        raise ValueError("ada@example.org")
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "ValueError"
    assert "ada@example.org" not in str(span.to_json())
