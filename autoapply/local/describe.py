"""How the parts of a stack are described to people: stack.json entries and one-line summaries."""

from __future__ import annotations

from typing import Any

from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from autoapply.local.redis import RedisServer
from autoapply.local.sandbox_site import SandboxSite
from autoapply.local.server import LocalServer
from autoapply.local.services import DATABASE, ServiceInstance


def where(part: LocalServer) -> str:
    """The address a person would use to reach the part."""
    if isinstance(part, NatsServer):
        return f"{part.url} (monitor {part.monitor_url})"
    if isinstance(part, ServiceInstance):
        return part.http_url or part.health_url
    if isinstance(part, PostgresServer):
        return part.dsn(DATABASE)
    return str(getattr(part, "url", ""))


def describe(parts: list[LocalServer]) -> dict[str, dict[str, Any]]:
    """The stack.json entry of each part: what it is, where it listens, its pid and files."""
    return {part.name: _entry(part) for part in parts}


def _entry(part: LocalServer) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": part.kind, "pid": part.pid, "log": str(part.log), "pid_file": str(part.pid_file)}
    if isinstance(part, NatsServer):
        entry |= {
            "url": part.url,
            "port": part.port,
            "monitor_url": part.monitor_url,
            "monitor_port": part.monitor_port,
            "store_dir": str(part.store_dir),
        }
    elif isinstance(part, PostgresServer):
        entry |= {"url": part.dsn(DATABASE), "port": part.port, "data_dir": str(part.data_dir)}
    elif isinstance(part, SandboxSite):
        entry |= {"url": part.url, "port": part.port, "smtp_port": part.smtp_port}
    elif isinstance(part, RedisServer):
        entry |= {"url": part.url, "port": part.port}
    elif isinstance(part, ServiceInstance):
        entry |= {
            "service": part.service,
            "health_url": part.health_url,
            "http_url": part.http_url,
            "env": {k: v for k, v in part.own_env().items() if k != "AUTOAPPLY_SECRET_KEY"},
        }
    return entry
