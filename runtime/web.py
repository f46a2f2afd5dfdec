"""Serving a service's Starlette app with uvicorn inside the service's own process and stop."""

import asyncio
import contextlib
from collections.abc import Callable, Iterator

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
    app: ASGIApp, port: int, host: str = LOOPBACK, on_server: Callable[[uvicorn.Server], None] | None = None
) -> None:
    """Runs until cancelled; then lets open requests finish and returns. `on_server` is handed the
    server before it starts (a service's health answers for it: Service.serving)."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", ws="websockets-sansio")
    server = _Server(config)
    if on_server is not None:
        on_server(server)
    task = asyncio.create_task(server.serve())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await task
        raise
