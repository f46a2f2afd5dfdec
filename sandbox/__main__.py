"""python -m sandbox --host 127.0.0.1 --port 0 --smtp-port 0 --state-dir DIR

Prints one JSON line once both servers listen: {"http": "http://HOST:PORT", "smtp_port": N}.
SIGTERM or SIGINT stops both cleanly.
"""

import argparse
import asyncio
import json
import signal
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from sandbox.app import build_app
from sandbox.jobs import Catalog
from sandbox.mailbox import MailStore, start_sink
from sandbox.mailer import Mailer
from sandbox.records import Records
from sandbox.state import SandboxState

DEFAULT_SEED = 7


class StopSignal:
    """Remembers a stop signal that arrives before uvicorn takes over the handlers, and passes on later ones."""

    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None
        self.requested = False

    def __call__(self, signum: int, frame: object) -> None:
        self.requested = True
        if self.server is not None:
            self.server.should_exit = True


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local replicas of job sites.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="HTTP port; 0 picks a free one")
    parser.add_argument("--smtp-port", type=int, default=0, help="SMTP sink port; 0 picks a free one")
    parser.add_argument("--state-dir", type=Path, default=None, help="where submissions and mail are kept")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="job catalog seed")
    parser.add_argument(
        "--captcha-oracle",
        action="store_true",
        help="let GET /_admin/captcha/<id> reveal answers (tests that play the person)",
    )
    return parser.parse_args(argv)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _ready_signal(ready: asyncio.Event) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ready.set()  # uvicorn runs this just before it serves the already-listening socket
        yield

    return lifespan


async def serve(args: argparse.Namespace, state_dir: Path, stop: StopSignal) -> None:
    store = MailStore(state_dir)
    smtp = await start_sink(store, args.host, args.smtp_port)
    smtp_port = smtp.sockets[0].getsockname()[1]
    state = SandboxState(
        Catalog(args.seed),
        Records(state_dir),
        store,
        Mailer(_url_host(args.host).strip("[]"), smtp_port),
        state_dir,
        args.captcha_oracle,
    )
    sock = _bind(args.host, args.port)
    ready = asyncio.Event()
    app = build_app(state, lifespan=_ready_signal(ready))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    stop.server = server
    server.should_exit = stop.requested
    task = asyncio.create_task(server.serve(sockets=[sock]))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()  # still pending only when uvicorn stopped before it was ready
    if ready.is_set():
        port = sock.getsockname()[1]
        print(json.dumps({"http": f"http://{_url_host(args.host)}:{port}", "smtp_port": smtp_port}), flush=True)
    try:
        await task
    finally:
        smtp.close()
        await smtp.wait_closed()
        sock.close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # uvicorn catches SIGTERM/SIGINT while serving and re-raises them after a graceful stop; our own
    # handler turns that re-raise into a normal exit, so the SMTP sink is closed too.
    stop = StopSignal()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    state_dir: Path = args.state_dir or Path(tempfile.mkdtemp(prefix="sandbox-"))
    state_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args, state_dir, stop))


if __name__ == "__main__":
    main()
