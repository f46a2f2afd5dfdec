"""A small local trace explorer: an OTLP/HTTP receiver (POST /v1/traces, protobuf) and pages
listing traces and the spans of each, for the embedded stack (`autoapply traces`).

Heavier explorers (Phoenix, Jaeger) either do not install here or pull hundreds of megabytes
that conflict with the project's pins; anything that speaks OTLP can still be used instead, by
pointing OTEL_EXPORTER_OTLP_ENDPOINT at it. Spans arrive already scrubbed by each service.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from autoapply.traces_store import MAX_BODY_BYTES, BadRequest, TraceStore, parse
from runtime import web

_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{padding:2px 8px;text-align:left;vertical-align:top}tr:nth-child(even){background:#f4f4f4}"
    ".bar{background:#4a7fd0;height:10px;min-width:2px}.err{color:#b00}code{font-size:12px}"
)


def _page(title: str, body: str) -> HTMLResponse:
    head = f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title><style>{_STYLE}</style>"
    return HTMLResponse(f"{head}<h1>{html.escape(title)}</h1>{body}")


def _when(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _head(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"


def trace_rows(summaries: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{_when(s['start_ns'])}</td><td><a href='/traces/{s['trace_id']}'>{html.escape(s['root'])}</a></td>"
        f"<td>{html.escape(', '.join(s['services']))}</td><td>{s['spans']}</td>"
        f"<td class={'err' if s['errors'] else ''}>{s['errors']}</td><td>{s['duration_ms']}</td>"
        f"<td>{'<br>'.join(html.escape(t) for t in s['tasks'])}</td></tr>"
        for s in summaries
    )
    head = _head("start (UTC)", "root span", "services", "spans", "errors", "ms", "task")
    return f"<table>{head}{rows}</table>" if rows else "<p>No traces yet.</p>"


def _depths(spans: list[dict[str, Any]]) -> dict[str, int]:
    parents = {s["span_id"]: s["parent_id"] for s in spans}
    depths: dict[str, int] = {}
    for span_id in parents:
        depth, seen, at = 0, {span_id}, parents[span_id]
        while at in parents and at not in seen:
            depth, at = depth + 1, parents[at]
            seen.add(at)
        depths[span_id] = depth
    return depths


def span_rows(spans: list[dict[str, Any]]) -> str:
    start = min(s["start_ns"] for s in spans)
    total = max(max(s["end_ns"] for s in spans) - start, 1)
    depths = _depths(spans)
    rows = []
    for s in spans:
        left, width = 100 * (s["start_ns"] - start) / total, 100 * (s["end_ns"] - s["start_ns"]) / total
        attrs = "<br>".join(f"{html.escape(k)} = {html.escape(str(v))}" for k, v in sorted(s["attributes"].items()))
        status = html.escape(f"{s['status']} {s['status_message']}".strip())
        rows.append(
            f"<tr><td style='padding-left:{8 + 16 * depths[s['span_id']]}px'>{html.escape(s['name'])}</td>"
            f"<td>{html.escape(s['service'])}</td><td>{s['kind']}</td>"
            f"<td class={'err' if s['status'] == 'error' else ''}>{status}</td>"
            f"<td>{(s['start_ns'] - start) / 1e6:.1f}</td><td>{(s['end_ns'] - s['start_ns']) / 1e6:.1f}</td>"
            f"<td style='width:240px'><div class=bar style='margin-left:{left:.1f}%;width:{width:.1f}%'></div></td>"
            f"<td><code>{attrs}</code></td></tr>"
        )
    head = _head("span", "service", "kind", "status", "at ms", "ms", "", "attributes")
    return f"<table>{head}{''.join(rows)}</table>"


async def receive(store: TraceStore, request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return JSONResponse({"error": "request too large"}, status_code=413)
    if "protobuf" not in request.headers.get("content-type", ""):
        return JSONResponse({"error": "send OTLP/HTTP protobuf (application/x-protobuf)"}, status_code=415)
    try:
        spans = parse(body, request.headers.get("content-encoding", ""))
    except BadRequest as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    await asyncio.to_thread(store.add, spans)
    # An empty ExportTraceServiceResponse: full success.
    return Response(b"", media_type="application/x-protobuf")


def build_app(store: TraceStore) -> Starlette:
    async def index(request: Request) -> Response:
        task = request.query_params.get("task")
        title = f"Traces of task {task}" if task else "Traces"
        return _page(title, "<p><a href='/'>all traces</a></p>" + trace_rows(store.summaries(task)))

    async def one(request: Request) -> Response:
        trace_id = request.path_params["trace_id"]
        spans = store.trace(trace_id)
        if not spans:
            return _page("Trace not found", f"<p>No spans of trace {html.escape(trace_id)} (yet).</p>")
        return _page(f"Trace {trace_id}", "<p><a href='/'>all traces</a></p>" + span_rows(spans))

    async def api_list(request: Request) -> Response:
        return JSONResponse(store.summaries(request.query_params.get("task")))

    async def api_one(request: Request) -> Response:
        spans = store.trace(request.path_params["trace_id"])
        return JSONResponse({"spans": spans}, status_code=200 if spans else 404)

    async def health(_: Request) -> Response:
        return JSONResponse({"healthy": True})

    return Starlette(
        routes=[
            Route("/v1/traces", partial(receive, store), methods=["POST"]),
            Route("/", index),
            Route("/traces/{trace_id}", one),
            Route("/api/traces", api_list),
            Route("/api/traces/{trace_id}", api_one),
            Route("/healthz", health),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m autoapply.traces", description="the local trace explorer")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True, help="where the spans are kept (spans.jsonl)")
    args = parser.parse_args()
    store = TraceStore(args.dir / "spans.jsonl")
    asyncio.run(web.serve(build_app(store), args.port))


if __name__ == "__main__":
    main()
