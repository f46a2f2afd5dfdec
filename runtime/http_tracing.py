"""The server span of every HTTP request and WebSocket of a Starlette app, named by its route.

One span per request, a child of the caller's `traceparent`, named `POST /api/v1/tasks/{task_id}`
(the route's template, never the path's ids) with the method, route and status code. This is a
plain ASGI middleware rather than OpenTelemetry's: that one opened a span for every ASGI `receive`
and `send`, decoded every header several times and matched the route a second time, and cost a
request more CPU than intake's own work on it. The route is the one Starlette's router chose
(`scope["route"]`), read once the request is answered.
"""

from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.semconv.attributes.http_attributes import (
    HTTP_REQUEST_METHOD,
    HTTP_RESPONSE_STATUS_CODE,
    HTTP_ROUTE,
)
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The only request headers the span reads: W3C trace context.
_CONTEXT_HEADERS = (b"traceparent", b"tracestate")


def _carrier(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ()) if k in _CONTEXT_HEADERS}


def _method(scope: Scope) -> str:
    return str(scope.get("method", "")) if scope["type"] == "http" else "WS"


def span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    """`POST /api/v1/tasks/{task_id}/approve`: the chosen route's template, or the method alone."""
    route = getattr(scope.get("route"), "path", None)
    method = _method(scope)
    if route is None:
        return method or "HTTP", {}
    return f"{method} {route}", {HTTP_ROUTE: route}


class ServerSpans:
    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider | None = None) -> None:
        self.app = app
        self.tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer(__name__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        parent = propagate.extract(_carrier(scope))
        method = _method(scope)
        attributes = {HTTP_REQUEST_METHOD: method} if scope["type"] == "http" else {}
        with self.tracer.start_as_current_span(
            method or "HTTP",
            context=parent,
            kind=SpanKind.SERVER,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute(HTTP_RESPONSE_STATUS_CODE, status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, sending)
            except Exception as exc:  # the type only: the message may quote the request
                span.set_status(Status(StatusCode.ERROR))
                span.set_attribute("error.type", type(exc).__qualname__)
                raise
            finally:
                name, route = span_details(scope)
                span.update_name(name)
                if route:
                    span.set_attributes(route)


def instrument(app: Starlette, provider: TracerProvider | None) -> None:
    app.add_middleware(ServerSpans, tracer_provider=provider)
