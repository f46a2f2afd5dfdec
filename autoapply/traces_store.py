"""The trace explorer's store: OTLP/HTTP trace requests turned into plain span records, kept in
memory by trace and appended to a JSON-lines file so a restarted explorer still shows them."""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

# The explorer is for looking at recent work, not an archive: older traces drop out of memory
# (the file keeps them until the stack's folder is cleaned).
MAX_TRACES = 5000
# A request larger than this is not a span batch (the SDK sends at most 512 spans at a time).
MAX_BODY_BYTES = 16 * 1024 * 1024
_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_STATUS = {0: "unset", 1: "ok", 2: "error"}


class BadRequest(ValueError):
    """The body is not an OTLP/HTTP protobuf trace request."""


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def _attributes(pairs: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pair in pairs:
        assert isinstance(pair, KeyValue)
        found[pair.key] = _value(pair.value)
    return found


def _record(span: Span, service: str) -> dict[str, Any]:
    return {
        "trace_id": span.trace_id.hex(),
        "span_id": span.span_id.hex(),
        "parent_id": span.parent_span_id.hex() or None,
        "name": span.name,
        "service": service,
        "kind": _KINDS.get(span.kind, str(span.kind)),
        "start_ns": span.start_time_unix_nano,
        "end_ns": span.end_time_unix_nano,
        "status": _STATUS.get(span.status.code, str(span.status.code)),
        "status_message": span.status.message,
        "attributes": _attributes(span.attributes),
        "events": [{"name": e.name, "attributes": _attributes(e.attributes)} for e in span.events],
    }


def parse(body: bytes, encoding: str = "") -> list[dict[str, Any]]:
    """The spans of one OTLP/HTTP protobuf request, as records."""
    try:
        if encoding == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
    except Exception as exc:  # protobuf raises its own DecodeError, gzip OSError or EOFError
        raise BadRequest(f"not an OTLP trace request ({type(exc).__name__})") from None
    spans = []
    for resource in request.resource_spans:
        service = str(_attributes(resource.resource.attributes).get("service.name", "unknown"))
        for scope in resource.scope_spans:
            spans += [_record(span, service) for span in scope.spans]
    return spans


class TraceStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._traces: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            self._keep(json.loads(line) for line in path.read_text().splitlines() if line.strip())

    def add(self, spans: list[dict[str, Any]]) -> None:
        with self._lock:
            with self._path.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(span) + "\n" for span in spans)
            self._keep(spans)

    def _keep(self, spans: Any) -> None:
        for span in spans:
            self._traces.setdefault(span["trace_id"], []).append(span)
            self._traces.move_to_end(span["trace_id"])
        while len(self._traces) > MAX_TRACES:
            self._traces.popitem(last=False)

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return sorted(self._traces.get(trace_id.lower(), []), key=lambda s: s["start_ns"])

    def summaries(self, task_id: str | None = None) -> list[dict[str, Any]]:
        """Newest first; with task_id, only the traces whose spans name that task."""
        with self._lock:
            found = [summary(trace_id, spans) for trace_id, spans in self._traces.items()]
        if task_id:
            found = [s for s in found if task_id in s["tasks"]]
        return sorted(found, key=lambda s: s["start_ns"], reverse=True)


def summary(trace_id: str, spans: list[dict[str, Any]]) -> dict[str, Any]:
    start = min(s["start_ns"] for s in spans)
    end = max(s["end_ns"] for s in spans)
    ids = {s["span_id"] for s in spans}
    roots = [s for s in spans if s["parent_id"] not in ids] or spans
    first = min(roots, key=lambda s: s["start_ns"])
    return {
        "trace_id": trace_id,
        "root": first["name"],
        "services": sorted({s["service"] for s in spans}),
        "spans": len(spans),
        "errors": sum(s["status"] == "error" for s in spans),
        "start_ns": start,
        "duration_ms": round((end - start) / 1e6, 2),
        "tasks": sorted(
            {str(s["attributes"]["autoapply.task_id"]) for s in spans if "autoapply.task_id" in s["attributes"]}
        ),
    }
