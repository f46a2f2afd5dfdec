"""PostgreSQL from the system's binaries, with our own data directory, port and trust auth."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from autoapply.local import pgroot
from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.procs import RunAs, StartError, log_tail
from autoapply.local.server import LocalServer

SUPERUSER = "postgres"
# Database names we create: plain identifiers, so they never need quoting or escaping.
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# A unix socket path longer than this fails (sun_path is 108 bytes); then we listen on TCP only.
MAX_SOCKET_PATH = 100
# A local psql call either answers at once or the server is not ready.
PSQL_TIMEOUT_S = 10.0


def pg_bindir() -> Path:
    """Directory holding initdb, postgres and psql: pg_config's, Debian's newest, or PATH's."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(out.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(versions, key=_version_key, reverse=True)]
    if shutil.which("initdb"):
        candidates.append(Path(str(shutil.which("initdb"))).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise FileNotFoundError(
        "PostgreSQL server binaries (initdb, postgres) not found; install the postgresql package (./dev setup does)"
    )


def _version_key(path: str) -> int:
    match = re.search(r"/(\d+)/bin$", path)
    return int(match.group(1)) if match else 0


class PostgresServer(LocalServer):
    name = "postgres"
    # SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions. SIGTERM ("smart") would wait
    # for every connected service to hang up.
    stop_signal = "SIGINT"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        settings: dict[str, str] | None = None,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        self.settings = dict(settings or {})
        self.user: RunAs | None = pgroot.server_user() if pgroot.is_root() else None
        self.wanted_data_dir = self.directory / "pgdata"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.data_dir = pgroot.place_data_dir(self.wanted_data_dir, self.user)
        self.bindir = pg_bindir()

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.dsn()

    def run_as(self) -> RunAs | None:
        return self.user

    def working_dir(self) -> Path:
        # The server user may not be allowed into self.directory (see pgroot); its data dir is its own.
        return self.data_dir

    def prepare(self) -> None:
        pgroot.own_data_dir(self.data_dir, self.user)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()

    def _initdb(self) -> None:
        cmd = [
            str(self.bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ]
        with self.log.open("ab") as out:
            user = self.user
            done = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                check=False,
                user=user.user if user else None,
                group=user.group if user else None,
                extra_groups=[] if user else None,
            )
        if done.returncode != 0:
            raise StartError(f"initdb failed for {self.data_dir}; last lines of {self.log}:\n{log_tail(self.log)}")

    def socket_dir(self) -> str:
        # Only TCP is used by our clients; the socket is a convenience for psql inside the data dir.
        fits = len(str(self.data_dir / f".s.PGSQL.{self.port}")) <= MAX_SOCKET_PATH
        return str(self.data_dir) if fits else ""

    def command(self) -> list[str]:
        cmd = [
            str(self.bindir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            f"listen_addresses={LOOPBACK}",
            "-c",
            f"unix_socket_directories={self.socket_dir()}",
        ]
        for key, value in sorted(self.settings.items()):
            cmd += ["-c", f"{key}={value}"]
        return cmd

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement through psql over TCP; raises with psql's message on failure."""
        cmd = [
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            LOOPBACK,
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-tA",
            "-c",
            sql,
        ]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "3"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=PSQL_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def healthy(self) -> bool:
        return self.psql("select 1") == "1"

    def ensure_database(self, name: str) -> str:
        """Create the database if it does not exist; returns its DSN."""
        if not DATABASE_NAME.match(name):
            raise ValueError(f"database name {name!r} must match {DATABASE_NAME.pattern}")
        if self.psql(f"select 1 from pg_database where datname = '{name}'") != "1":
            try:
                self.psql(f"create database {name}")
            except RuntimeError as exc:
                if "already exists" not in str(exc):  # lost a race with another creator: fine
                    raise
        return self.dsn(name)

    def destroy(self) -> None:
        """Stop and delete the data (test servers; a stack's data is kept)."""
        self.stop()
        pgroot.remove_data_dir(self.data_dir, self.wanted_data_dir)
