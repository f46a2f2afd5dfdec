"""Each field the engine fills is a span, named like the services' step spans (`step fill field`),
so a task's trace shows every field: its key, a hash of its label, its widget, where its value
came from and how the fill went. Never the value, never the label itself (a label can quote the
person: "Why do you want to work here, Ada?"). Through the OpenTelemetry API only: with no
tracer provider set (the plan command, the benchmarks) the spans cost nothing."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span

from forms.records import FieldRecord, Resolution

# The services' step tracer (runtime.telemetry.STEP_TRACER); the engine imports nothing of theirs.
STEP_TRACER = "autoapply.steps"
FILL_FIELD = "fill field"
# Enough to tell a form's labels apart and match one across traces; too short to look anything up.
LABEL_HASH_CHARS = 16


def label_hash(label: str) -> str:
    return hashlib.sha256(label.strip().lower().encode()).hexdigest()[:LABEL_HASH_CHARS]


@contextmanager
def filling(record: FieldRecord, res: Resolution) -> Iterator[Span]:
    attributes = {
        "autoapply.step": FILL_FIELD,
        "autoapply.field_key": res.key or "unclassified",
        "autoapply.label_hash": label_hash(record.label),
        "autoapply.widget": record.widget,
        "autoapply.provenance": res.provenance or "none",
    }
    with trace.get_tracer(STEP_TRACER).start_as_current_span(f"step {FILL_FIELD}", attributes=attributes) as span:
        yield span
