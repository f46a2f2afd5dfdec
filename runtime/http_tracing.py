"""The server span of every HTTP request and WebSocket of a Starlette app, named by its route.

OpenTelemetry's Starlette instrumentor also opens a span for every ASGI `receive` and `send` (two
or three per request, one per WebSocket message): they say nothing a trace reader needs and cost
as much as the server span itself, so this installs the ASGI middleware without them.
"""

from typing import Any

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import TracerProvider
from starlette.applications import Starlette
from starlette.routing import Match


def _route(scope: dict[str, Any]) -> str | None:
    app = scope.get("app")
    for candidate in getattr(app, "routes", ()):
        match, _ = candidate.matches(scope)
        if match == Match.FULL:
            return getattr(candidate, "path", None)
    return None


def span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`POST /api/v1/tasks/{task_id}/approve`: the route's template, never the path's ids."""
    route = _route(scope)
    method = scope.get("method", "") if scope.get("type") == "http" else "WS"
    if route is None:
        return method or "HTTP", {}
    return f"{method} {route}", {HTTP_ROUTE: route}


def instrument(app: Starlette, provider: TracerProvider | None) -> None:
    app.add_middleware(
        OpenTelemetryMiddleware,
        default_span_details=span_details,
        tracer_provider=provider,
        exclude_spans=["receive", "send"],
    )
