"""A small HTTP endpoint per service: GET /healthz answers 200 when every check passes, else 503;
GET /metrics serves the process's Prometheus metrics (runtime.metrics)."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from opentelemetry.instrumentation.utils import suppress_instrumentation

from runtime import metrics

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
# A check slower than this counts as failed: a health probe must answer quickly.
CHECK_TIMEOUT_S = 2.0
JSON = "application/json"


async def run_checks(checks: dict[str, Check]) -> dict[str, bool]:
    async def one(check: Check) -> bool:
        try:
            # Checks run every second: as spans they would bury every task's trace in noise.
            with suppress_instrumentation():
                return await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
        except Exception:
            return False

    results = await asyncio.gather(*(one(c) for c in checks.values()))
    return dict(zip(checks, results, strict=True))


class HealthServer:
    def __init__(self, port: int, checks: dict[str, Check], info: dict[str, str], host: str = "127.0.0.1") -> None:
        self._port, self._checks, self._info, self._host = port, checks, info, host
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), CHECK_TIMEOUT_S)
            status, body, kind = await self._answer(request.decode("latin-1"))
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, request_line: str) -> tuple[str, bytes, str]:
        parts = request_line.split()
        path = parts[1].split("?")[0] if len(parts) >= 2 and parts[0] == "GET" else ""
        if path == "/metrics":
            return "200 OK", metrics.exposition(), metrics.CONTENT_TYPE
        if path != "/healthz":
            return "404 Not Found", b'{"error": "not found"}', JSON
        checks = await run_checks(self._checks)
        healthy = all(checks.values())
        body = json.dumps({"healthy": healthy, "checks": checks, **self._info}).encode()
        return ("200 OK" if healthy else "503 Service Unavailable"), body, JSON
