"""Serving a service's Starlette app with uvicorn inside the service's own process and stop."""

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp

# Services listen on loopback; a deployment puts a proxy or an ingress in front.
LOOPBACK = "127.0.0.1"


class _Server(uvicorn.Server):
    """Leaves SIGTERM to the service, which stops the HTTP server with everything else."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    app: ASGIApp,
    port: int,
    host: str = LOOPBACK,
    on_server: Callable[[uvicorn.Server], None] | None = None,
    sockets: list[socket.socket] | None = None,
    **options: Any,
) -> None:
    """Runs until cancelled; then lets open requests finish and returns. `on_server` is handed the
    server before it starts (a service's health answers for it: Service.serving); `sockets` are
    listening sockets to serve on instead of binding the port; `options` override uvicorn.Config's."""
    settings: dict[str, Any] = {"log_level": "warning", "lifespan": "off", "ws": "websockets-sansio", **options}
    server = _Server(uvicorn.Config(app, host=host, port=port, **settings))
    if on_server is not None:
        on_server(server)
    task = asyncio.create_task(server.serve(sockets=sockets))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await task
        raise
