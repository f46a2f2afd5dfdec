"""The five services as local processes: `<venv python> -m services.<name>` with their environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoapply.local import stopping
from autoapply.local.ports import LOOPBACK
from autoapply.local.probe import get_json
from autoapply.local.server import LocalServer
from services.provisioner.settings import ProvisionerSettings

# The services, in the order `up` starts them (order matters only for reading the log).
SERVICES = ("intake", "provisioner", "executor", "verifier", "takeover")
# The services that serve HTTP (intake's API, takeover's operator page) and so need AUTOAPPLY_HTTP_PORT.
HTTP_SERVICES = frozenset({"intake", "takeover"})
# The database every service uses (each keeps its tables in a schema of its own).
DATABASE = "autoapply"
# A service finishes its in-flight message and closes its browsers on SIGTERM; that can take a while.
SERVICE_STOP_GRACE_S = 15.0
# Services run the same code as the command that starts them: this checkout's, ahead of whatever
# copy of the project the interpreter would otherwise find.
SOURCE_ROOT = Path(__file__).resolve().parents[2]


SANDBOX_SPACING = {"AUTOAPPLY_SPACING_MIN_S": "1", "AUTOAPPLY_SPACING_MAX_S": "3"}


@dataclass(frozen=True)
class Wiring:
    """What every service instance is told about the stack it runs in."""

    nats_url: str
    database_url: str
    redis_url: str
    data_dir: Path
    secret_key: str
    mode: str = "sandbox"
    intake_url: str | None = None  # where the operator page signs operators in
    # Where the job seeker's page opens the live view of their task's browser (a sign-in wall).
    takeover_url: str | None = None
    # The embedded stack runs one nats-server: every stream and consumer has one replica.
    replicas: int = 1
    # The local trace explorer (`autoapply traces`): where spans go, and its pages for a trace id.
    otlp_traces_url: str | None = None
    traces_url: str | None = None
    # The sandbox's SMTP sink (`up --sandbox`): where intake mails the user's notifications.
    smtp_port: int | None = None


def executor_workers() -> int:
    """Handlers per executor instance: as many as the provisioner has browser slots.

    A consumer's max_ack_pending is AUTOAPPLY_INSTANCES (not set by the local stack: 1) x workers,
    capped by the slots, and the server hands out no more than that across every instance. With
    one handler per instance the stack drove one or two of its four browsers while the others,
    started and holding their slots, waited for an executor.
    """
    return int(os.environ.get("AUTOAPPLY_BROWSER_SLOTS") or ProvisionerSettings.model_fields["browser_slots"].default)


def instance_name(service: str, index: int) -> str:
    return f"{service}-{index}"


class ServiceInstance(LocalServer):
    """One instance of one service; healthy when its /healthz answers 200 with {"healthy": true}."""

    stop_grace_s = SERVICE_STOP_GRACE_S

    def __init__(
        self,
        service: str,
        index: int,
        wiring: Wiring,
        *,
        health_port: int,
        http_port: int | None,
        log: Path,
        pid_file: Path,
        cwd: Path,
        peers: int = 1,
    ) -> None:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; services are {', '.join(SERVICES)}")
        self.name = instance_name(service, index)
        super().__init__(pid_file.parent, log=log, pid_file=pid_file)
        self.service = service
        self.wiring = wiring
        self.health_port = health_port
        self.http_port = http_port
        self.cwd = cwd
        self.peers = peers  # instances of this service in the stack, this one included

    @property
    def kind(self) -> str:
        return "service"

    @property
    def health_url(self) -> str:
        return f"http://{LOOPBACK}:{self.health_port}/healthz"

    @property
    def http_url(self) -> str | None:
        return f"http://{LOOPBACK}:{self.http_port}" if self.http_port else None

    def working_dir(self) -> Path:
        return self.cwd

    def command(self) -> list[str]:
        return [sys.executable, "-m", f"services.{self.service}"]

    def env(self) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")) if p)
        return {**os.environ, **self.own_env(), "PYTHONPATH": path}

    def own_env(self) -> dict[str, str]:
        env = {
            "AUTOAPPLY_SERVICE": self.service,
            "AUTOAPPLY_INSTANCE": self.name,
            "AUTOAPPLY_NATS_URL": self.wiring.nats_url,
            "AUTOAPPLY_DATABASE_URL": self.wiring.database_url,
            "AUTOAPPLY_REDIS_URL": self.wiring.redis_url,
            "AUTOAPPLY_HEALTH_PORT": str(self.health_port),
            "AUTOAPPLY_DATA_DIR": str(self.wiring.data_dir),
            "AUTOAPPLY_MODE": self.wiring.mode,
            "AUTOAPPLY_SECRET_KEY": self.wiring.secret_key,
            "AUTOAPPLY_REPLICAS": str(self.wiring.replicas),
            "PYTHONUNBUFFERED": "1",  # log lines reach the log file as they happen
        }
        if self.service == "provisioner" and self.wiring.mode == "sandbox":
            # The sandbox is our own site: pace its applications in seconds, so a demo ends in minutes.
            # Real sites keep the provisioner's own 45-180 s between one account's applications.
            for name, value in SANDBOX_SPACING.items():
                env[name] = os.environ.get(name, value)
        if self.service == "executor" and "AUTOAPPLY_WORKERS" not in os.environ:
            env["AUTOAPPLY_WORKERS"] = str(executor_workers())
        if self.http_port is not None:
            env["AUTOAPPLY_HTTP_PORT"] = str(self.http_port)
        if self.service == "intake":
            env |= self._intake_env()
        if self.wiring.intake_url is not None:
            env["AUTOAPPLY_INTAKE_URL"] = self.wiring.intake_url
        if self.wiring.otlp_traces_url is not None:
            env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = self.wiring.otlp_traces_url
        if self.wiring.traces_url is not None:  # the operator page and the task API link each task's trace
            env["AUTOAPPLY_TRACE_URL_TEMPLATE"] = self.wiring.traces_url + "/traces/{trace_id}"
        return env

    def _intake_env(self) -> dict[str, str]:
        env = {}
        if self.peers > 1:
            # Every intake instance on the API's one port (SO_REUSEPORT: the kernel spreads the
            # connections); the read model's max_ack_pending counts them (docs/intake.md).
            env["AUTOAPPLY_HTTP_REUSE_PORT"] = "true"
            env["AUTOAPPLY_INSTANCES"] = str(self.peers)
        if self.wiring.smtp_port is not None:
            env["AUTOAPPLY_SMTP_HOST"] = LOOPBACK
            env["AUTOAPPLY_SMTP_PORT"] = str(self.wiring.smtp_port)
        if self.wiring.takeover_url is not None:
            env["AUTOAPPLY_TAKEOVER_PUBLIC_URL"] = self.wiring.takeover_url
        return env

    def prepare(self) -> None:
        self.wiring.data_dir.mkdir(parents=True, exist_ok=True)

    def kill(self) -> bool:
        """SIGKILL, as a crash would: the browsers it started (each in a session of its own) live
        on for another instance to adopt. Killing them too made every provisioner kill of the soak
        fail the tasks at work ("the task's browser exited"), which no real crash does."""
        record = self.record()
        return record is not None and stopping.kill_now(record, descendants=False)

    def health(self) -> dict[str, Any]:
        """The service's own health answer, or why there is none."""
        try:
            status, body = get_json(self.health_url)
        except OSError as exc:
            return {"healthy": False, "error": f"no answer on {self.health_url}: {exc}"}
        answer = body if isinstance(body, Mapping) else {"body": body}
        return {**answer, "healthy": status == 200 and answer.get("healthy") is True, "http_status": status}

    def healthy(self) -> bool:
        return bool(self.health()["healthy"])
