"""A small HTTP health endpoint: GET /healthz answers 200 when every check passes, else 503."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from opentelemetry.instrumentation.utils import suppress_instrumentation

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
# A check slower than this counts as failed: a health probe must answer quickly.
CHECK_TIMEOUT_S = 2.0


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
            status, body = await self._answer(request.decode("latin-1"))
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, request_line: str) -> tuple[str, bytes]:
        parts = request_line.split()
        if len(parts) < 2 or parts[0] != "GET" or parts[1].split("?")[0] != "/healthz":
            return "404 Not Found", b'{"error": "not found"}'
        checks = await run_checks(self._checks)
        healthy = all(checks.values())
        body = json.dumps({"healthy": healthy, "checks": checks, **self._info}).encode()
        return ("200 OK" if healthy else "503 Service Unavailable"), body
