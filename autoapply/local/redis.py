"""redis-server without persistence (it holds rate limits, locks and queue order, all rebuildable)."""

from __future__ import annotations

import shutil
from pathlib import Path

import redis

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import PROBE_TIMEOUT_S
from autoapply.local.server import LocalServer

# Redis's own default; test runs ask for many more so each test gets a database of its own.
DEFAULT_DATABASES = 16
REDIS_CANDIDATES = ("/usr/bin/redis-server", "/usr/local/bin/redis-server")


def redis_server_binary() -> Path:
    found = shutil.which("redis-server") or next((c for c in REDIS_CANDIDATES if Path(c).is_file()), None)
    if found is None:
        raise FileNotFoundError("redis-server not found; install the redis-server package (./dev setup does)")
    return Path(found)


class RedisServer(LocalServer):
    name = "redis"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        databases: int = DEFAULT_DATABASES,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        self.databases = databases
        self.data_dir = self.directory / "data"

    def url_for(self, db: int = 0) -> str:
        if not 0 <= db < self.databases:
            raise ValueError(f"redis database {db} is outside 0..{self.databases - 1}")
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    @property
    def url(self) -> str:
        return self.url_for(0)

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            str(redis_server_binary()),
            "--bind",
            LOOPBACK,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.data_dir),
            "--databases",
            str(self.databases),
            "--daemonize",
            "no",
        ]

    def healthy(self) -> bool:
        client = redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=PROBE_TIMEOUT_S)
        try:
            return bool(client.ping())
        finally:
            client.close()
