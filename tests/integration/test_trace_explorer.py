"""The local trace explorer as a real process: the SDK's own OTLP/HTTP exporter sends to it, and
its pages and API list the traces, the spans of each, and the traces of one task."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from autoapply.local.traces_site import TraceExplorer
from runtime import telemetry

pytestmark = pytest.mark.integration


@pytest.fixture
def explorer(tmp_path: Path) -> Iterator[TraceExplorer]:
    with TraceExplorer(tmp_path / "traces") as running:
        yield running


def _provider(explorer: TraceExplorer, service: str) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=explorer.otlp_traces_url, timeout=10)))
    return provider


def test_spans_sent_over_otlp_are_listed_by_trace_and_task(explorer: TraceExplorer) -> None:
    task_id = str(uuid.uuid4())
    intake, executor = _provider(explorer, "intake"), _provider(explorer, "executor")
    with intake.get_tracer("t").start_as_current_span("POST /api/v1/tasks") as root:
        with executor.get_tracer("t").start_as_current_span("handle profile.ready") as handling:
            handling.set_attribute("autoapply.task_id", task_id)
            with telemetry.step("navigate", executor, platform="lever"):
                pass
    for provider in (intake, executor):
        provider.shutdown()
    trace_id = format(root.get_span_context().trace_id, "032x")
    with httpx.Client(base_url=explorer.url, timeout=10) as client:
        (listed,) = client.get("/api/traces", params={"task": task_id}).json()
        spans = client.get(f"/api/traces/{trace_id}").json()["spans"]
        page = client.get(f"/traces/{trace_id}").text
        index = client.get("/").text
        missing = client.get(f"/api/traces/{uuid.uuid4().hex}")
        refused = client.post("/v1/traces", content=b"not protobuf", headers={"content-type": "application/x-protobuf"})
        wrong_type = client.post("/v1/traces", json={"resourceSpans": []})
    assert listed["trace_id"] == trace_id and listed["root"] == "POST /api/v1/tasks"
    assert listed["services"] == ["executor", "intake"] and listed["spans"] == 3 and listed["tasks"] == [task_id]
    by_name = {s["name"]: s for s in spans}
    assert by_name["step navigate"]["parent_id"] == by_name["handle profile.ready"]["span_id"]
    assert by_name["step navigate"]["attributes"] == {"autoapply.step": "navigate", "autoapply.platform": "lever"}
    assert by_name["POST /api/v1/tasks"]["parent_id"] is None
    assert "step navigate" in page and "autoapply.platform = lever" in page and trace_id in index
    assert missing.status_code == 404 and refused.status_code == 400 and wrong_type.status_code == 415


def test_a_restarted_explorer_still_shows_earlier_traces(explorer: TraceExplorer) -> None:
    provider = _provider(explorer, "verifier")
    with provider.get_tracer("t").start_as_current_span("poll mailbox") as span:
        pass
    provider.shutdown()
    explorer.restart()
    trace_id = format(span.get_span_context().trace_id, "032x")
    answer = httpx.get(f"{explorer.url}/api/traces/{trace_id}", timeout=10).json()
    assert [s["name"] for s in answer["spans"]] == ["poll mailbox"]
