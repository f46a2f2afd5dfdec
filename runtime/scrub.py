"""Keeps secrets and personal data out of everything that leaves a process: spans (a processor
that redacts on the way out), log records (runtime.logscrub, on the same rules), and reasons that
travel with a dead letter (`scrub_text`).

Three nets, because no one of them is enough: a value under a key that names personal data is
never kept (`secret_key`); values the process has learnt are personal (`remember`, e.g. every
string under a personal key of an event it handles) are replaced wherever they appear; and shapes
that are personal wherever they appear (e-mail addresses, also URL-encoded, phone numbers, street
addresses, tokens) are replaced. UUIDs and timestamps are left as they are: they link a task to
its trace and are not personal.
"""

import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link, Status

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
        "street",
        "city",
        "postcode",
        "zip",
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
# Keys that are safe even though their words say otherwise (names of things, not of people).
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
# Shapes, tried in this order at each position: the first two are kept, the rest redacted.
_SHAPES = re.compile(
    r"(?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)"
    r"|(?P<time>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
    r"|(?P<email>[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?<![\w.])\+?\(?\d[\d ()-]{5,}\d(?![\w.]))"
    r"|(?P<street>\b\d{1,5}[a-z]?,?\s+(?:[a-z]+\s+){1,3}"
    r"(?:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|square|sq)\b\.?)"
    r"|(?P<bearer>bearer\s+\S+)"
    r"|(?P<jwt>eyJ[\w-]+\.[\w-]+\.[\w-]+)"
    r"|(?P<apikey>sk-[\w-]{8,})",
    re.IGNORECASE,
)
_KEPT_SHAPES = frozenset({"uuid", "time"})
# E.164 allows at most 15 digits; fewer than 7 is a count, a port or a year, not a phone number.
_PHONE_DIGITS = range(7, 16)

# Values learnt at run time; bounded, the oldest forgotten first.
MAX_KNOWN = 4096
# Shorter values are too likely to be ordinary words or numbers.
MIN_KNOWN_CHARS = 3


class _Known:
    """The personal values this process has seen, matched as one case-insensitive pattern."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            for value in values:
                for form in _forms(value):
                    self._values[form] = None
                    self._values.move_to_end(form)
            while len(self._values) > MAX_KNOWN:
                self._values.popitem(last=False)
            self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)
            return self._pattern

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None


def _forms(value: str) -> set[str]:
    """The value as written, and as it appears in URLs and JSON."""
    value = value.strip()
    if len(value) < MIN_KNOWN_CHARS:
        return set()
    forms = {value, quote(value, safe=""), quote_plus(value), value.replace('"', '\\"')}
    return {form for form in forms if len(form) >= MIN_KNOWN_CHARS}


_known = _Known()


def remember(values: Iterable[str]) -> None:
    """Marks values as personal: from now on they are redacted wherever this process writes them."""
    _known.add(values)


def remember_personal(data: Any) -> None:
    """Remembers every string under a personal key in nested data (an event's or a profile's dump)."""
    remember(_personal_strings(data, key=""))


def forget_all() -> None:
    _known.clear()


def _personal_strings(data: Any, key: str) -> Iterable[str]:
    """`key` is the nearest personal key above the data, "" while there is none."""
    if isinstance(data, Mapping):
        for name, value in data.items():
            yield from _personal_strings(value, key or (str(name) if secret_key(str(name)) else ""))
    elif isinstance(data, (list, tuple, set)):
        for item in data:
            yield from _personal_strings(item, key)
    elif isinstance(data, str) and key:
        yield data
        if "name" in key.lower():
            yield from (part.strip(",.") for part in data.split())  # names also appear in parts: "Roe, J."


def scrub_text(text: str) -> str:
    """The text with known personal values and personal shapes replaced; ids and times kept."""
    known = _known.pattern()
    if known is not None:
        text = known.sub(REDACTED, text)
    return _SHAPES.sub(_judge, text)


def _judge(match: re.Match[str]) -> str:
    kind, found = match.lastgroup, match.group(0)
    if kind in _KEPT_SHAPES:
        return found
    if kind == "phone" and sum(c.isdigit() for c in found) not in _PHONE_DIGITS:
        return found
    return REDACTED


def scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
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
        self._inner.on_end(scrubbed_span(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def scrubbed_span(span: ReadableSpan) -> ReadableSpan:
    return ReadableSpan(
        name=scrub_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[_scrubbed_event(ev) for ev in span.events],
        links=[Link(link.context, scrub_attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=_scrubbed_status(span),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _scrubbed_event(event: Event) -> Event:
    if event.name == "exception":  # its message and stack quote values; its type is enough to search by
        kept = {k: v for k, v in (event.attributes or {}).items() if k in ("exception.type", "exception.escaped")}
        return Event(event.name, kept, event.timestamp)
    return Event(scrub_text(event.name), scrub_attributes(event.attributes), event.timestamp)


def _scrubbed_status(span: ReadableSpan) -> Status:
    description = span.status.description
    if not description:
        return span.status
    # The SDK writes "Type: message" for an exception that ended the span; keep the type only.
    types = {str((ev.attributes or {}).get("exception.type", "")) for ev in span.events if ev.name == "exception"}
    head = description.split(":", 1)[0].strip()
    kept = head if head and any(t == head or t.endswith("." + head) for t in types) else scrub_text(description)
    return Status(span.status.status_code, kept)
