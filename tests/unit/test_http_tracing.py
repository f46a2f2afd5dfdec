"""A request is one server span named by its route's template; no ASGI send/receive spans."""

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from runtime import http_tracing

pytestmark = pytest.mark.unit


async def test_one_span_per_request_named_by_the_route_template_not_the_ids() -> None:
    async def task(request: Request) -> JSONResponse:
        return JSONResponse({"id": request.path_params["task_id"]})

    app = Starlette(routes=[Route("/api/v1/tasks/{task_id}", task)])
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    http_tracing.instrument(app, provider)
    secret_id = "3f1c2b9e-0000-4000-8000-00000000abcd"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        assert (await client.get(f"/api/v1/tasks/{secret_id}")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["GET /api/v1/tasks/{task_id}", "GET"]
    assert spans[0].attributes is not None and spans[0].attributes["http.route"] == "/api/v1/tasks/{task_id}"
    assert all(secret_id not in s.name for s in spans)


async def test_the_span_continues_the_callers_trace_and_says_the_status() -> None:
    async def broken(request: Request) -> JSONResponse:
        return JSONResponse({"error": "unavailable"}, status_code=503)

    app = Starlette(routes=[Route("/api/v1/tasks", broken, methods=["POST"])])
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    http_tracing.instrument(app, provider)
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client:
        assert (await client.post("/api/v1/tasks", headers={"traceparent": parent})).status_code == 503
    (span,) = exporter.get_finished_spans()
    assert span.name == "POST /api/v1/tasks"
    assert format(span.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert span.parent is not None and format(span.parent.span_id, "016x") == "b7ad6b7169203331"
    assert dict(span.attributes or {})["http.response.status_code"] == 503 and not span.status.is_ok
