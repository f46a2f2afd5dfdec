"""Keeps secrets and personal data out of spans: a span processor that redacts on the way out."""

import itertools
import re
from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor

REDACTED = "[redacted]"

# Words that, anywhere in an attribute key (split on . _ -), mean its value is never exported.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "authorization",
        "auth",
        "cookie",
        "credential",
        "credentials",
        "session",
        "email",
        "mail",
        "phone",
        "name",
        "address",
        "birth",
        "dob",
        "ssn",
        "salary",
        "answer",
        "answers",
        "value",
        "body",
        "payload",
        "otp",
        "passcode",
        "link",
    }
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


def secret_key(key: str) -> bool:
    if key in _SAFE_KEYS:
        return False
    words = [w for w in re.split(r"[._\-\s]+", key.lower()) if w]
    joined = {a + b for a, b in itertools.pairwise(words)}  # api_key -> apikey
    return bool(_SECRET_WORDS & (set(words) | joined))


def scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: REDACTED if secret_key(key) else scrub_value(value) for key, value in (attributes or {}).items()}


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
