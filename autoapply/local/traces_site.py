"""The local trace explorer as a part of the stack (`autoapply traces`): `python -m autoapply.traces`."""

from __future__ import annotations

import sys
from pathlib import Path

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import answers_ok
from autoapply.local.server import LocalServer

# The explorer runs from the same source tree as the command that starts it.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
# Where the services send spans: the OTLP/HTTP traces path under the explorer's address.
OTLP_TRACES_PATH = "/v1/traces"


class TraceExplorer(LocalServer):
    name = "traces"

    def __init__(
        self, directory: Path, port: int | None = None, *, log: Path | None = None, pid_file: Path | None = None
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def otlp_traces_url(self) -> str:
        return self.url + OTLP_TRACES_PATH

    def trace_url(self, trace_id: str) -> str:
        return f"{self.url}/traces/{trace_id}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "autoapply.traces", "--port", str(self.port), "--dir", str(self.directory)]

    def working_dir(self) -> Path:
        return SOURCE_ROOT

    def prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def healthy(self) -> bool:
        return answers_ok(f"{self.url}/healthz")
