"""Keeps secrets and personal data out of spans: a span processor that redacts on the way out."""

import re
from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor

REDACTED = "[redacted]"

# Attribute keys whose values are never exported, whatever they hold.
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie|credential|session|"
    r"email|e-mail|phone|name|address|birth|ssn|salary|answer|value|body|payload|code|link)",
    re.IGNORECASE,
)
# Values that look like personal data or secrets, wherever they appear.
_SECRET_VALUE = re.compile(
    r"([\w.+-]+@[\w-]+\.[\w.-]+)"  # an e-mail address
    r"|(\+?\d[\d ()-]{7,}\d)"  # a phone number
    r"|(bearer\s+\S+)"  # an authorization header
    r"|(eyJ[\w-]+\.[\w-]+\.[\w-]+)"  # a JWT
    r"|(sk-[\w-]{8,})",  # an API key
    re.IGNORECASE,
)
# Keys that are safe even though they match a pattern above (ids, sizes, names of things).
_SAFE_KEYS = frozenset(
    {
        "service.name",
        "service.instance.id",
        "messaging.destination.name",
        "messaging.message.id",
        "messaging.system",
        "messaging.operation",
        "messaging.operation.name",
        "messaging.message.body.size",
        "messaging.consumer.group.name",
        "messaging.message.conversation_id",
        "db.name",
        "db.system",
        "db.operation",
        "db.statement",
        "http.route",
        "http.status_code",
        "code.function",
        "code.namespace",
        "event.name",
        "exception.type",
    }
)


def scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return _SECRET_VALUE.sub(REDACTED, value)
    if isinstance(value, (list, tuple)):
        return tuple(scrub_value(item) for item in value)
    return value


def scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        secret = key not in _SAFE_KEYS and _SECRET_KEY.search(key)
        clean[key] = REDACTED if secret else scrub_value(value)
    return clean


class ScrubbingSpanProcessor(SpanProcessor):
    """Wraps the exporting processor; it only ever sees a redacted copy of each span."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._inner.on_end(_scrubbed(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    events = [Event(ev.name, scrub_attributes(ev.attributes), ev.timestamp) for ev in span.events]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
