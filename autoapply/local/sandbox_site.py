"""The sandbox job sites as a part of the local stack (demo mode): `python -m sandbox` on loopback.

The product never imports the sandbox; the stack only starts it as a process, as it would start
any outside server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import answers_ok
from autoapply.local.server import LocalServer


class SandboxSite(LocalServer):
    name = "sandbox"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        smtp_port: int | None = None,
        *,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        self.smtp_port = smtp_port or free_port()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "sandbox",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--smtp-port",
            str(self.smtp_port),
            "--state-dir",
            str(self.directory / "state"),
        ]

    def healthy(self) -> bool:
        return answers_ok(f"{self.url}/_admin/health")
