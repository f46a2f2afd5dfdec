"""The shape every local server shares: start, stop, restart, kill, by pid file."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Self

from autoapply.local import procs, stopping
from autoapply.local.procs import PidRecord, RunAs

# Every server here is ready in well under a second; this allows for a loaded 2-core CI machine.
DEFAULT_START_TIMEOUT_S = 30.0


class LocalServer(ABC):
    """A server process on loopback whose files live under one directory."""

    name = "server"
    stop_signal = "SIGTERM"
    stop_grace_s = stopping.DEFAULT_GRACE_S

    def __init__(self, directory: Path, *, log: Path | None = None, pid_file: Path | None = None) -> None:
        self.directory = Path(directory).absolute()
        self.log = log or self.directory / f"{self.name}.log"
        self.pid_file = pid_file or self.directory / f"{self.name}.pid"
        self.last_start_s: float | None = None

    # Hooks for subclasses.
    @abstractmethod
    def command(self) -> list[str]:
        """The program and arguments that run the server in the foreground."""

    @abstractmethod
    def healthy(self) -> bool:
        """The server's own check (a probe of its port), beyond its process being alive."""

    def prepare(self) -> None:  # noqa: B027 - an optional hook: most servers need nothing prepared
        """Create files the server needs before its first start (config, data directory)."""

    def run_as(self) -> RunAs | None:
        return None

    def env(self) -> dict[str, str] | None:
        return None

    def working_dir(self) -> Path:
        return self.directory

    @property
    def kind(self) -> str:
        """What `down` and `status` call this process (a server's name; "service" for services)."""
        return type(self).name

    # Lifecycle.
    def record(self) -> PidRecord | None:
        return PidRecord.read(self.pid_file)

    def running(self) -> bool:
        record = self.record()
        return record is not None and procs.find_ours(record) is not None

    @property
    def pid(self) -> int | None:
        record = self.record()
        return record.pid if record is not None and procs.find_ours(record) else None

    def start(self, timeout_s: float = DEFAULT_START_TIMEOUT_S) -> bool:
        """Start (or adopt the already running server of this pid file) and wait until healthy.

        Returns False when it was already running. A server this call spawned that does not become
        healthy is stopped before the error is raised.
        """
        began = time.monotonic()
        record = self.record()
        if record is not None and procs.find_ours(record) is not None:
            procs.wait_healthy(record, self.healthy, began + timeout_s)
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prepare()
        record = self._spawn()
        try:
            procs.wait_healthy(record, self.healthy, began + timeout_s)
        except procs.StartError:
            stopping.terminate(record, grace_s=2.0)
            self.pid_file.unlink(missing_ok=True)
            raise
        self.last_start_s = time.monotonic() - began
        return True

    def _spawn(self) -> PidRecord:
        return procs.spawn(
            self.name,
            self.command(),
            self.log,
            self.pid_file,
            env=self.env(),
            cwd=self.working_dir(),
            run_as=self.run_as(),
            kind=self.kind,
            stop_signal=self.stop_signal,
        )

    def stop(self) -> str:
        """Stop the server if it is ours and running; returns what happened ("stopped", ...)."""
        record = self.record()
        if record is None:
            return "not running"
        outcome = stopping.terminate(record, grace_s=self.stop_grace_s)
        self.pid_file.unlink(missing_ok=True)
        return outcome

    def kill(self) -> bool:
        """SIGKILL the server and its children, as a crash would (the pid file stays, as after a crash)."""
        record = self.record()
        return record is not None and stopping.kill_now(record)

    def restart(self, timeout_s: float = DEFAULT_START_TIMEOUT_S) -> None:
        """Stop (if running) and start again on the same port and data."""
        self.stop()
        self.start(timeout_s)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
