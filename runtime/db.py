"""PostgreSQL through asyncpg: one schema per service, ordered SQL migrations, and a bound on every wait."""

import hashlib
import re
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolAcquireContext

RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Pool size per process: handlers are short transactions; the executor's browser work holds none.
POOL_MAX_SIZE = 10
# Every wait on the database is bounded, so a stuck database fails a handler (retried as an
# outage) instead of holding a consumer's slot forever.
ACQUIRE_TIMEOUT_S = 10.0  # waiting for a free pool connection
STATEMENT_TIMEOUT_S = 30.0  # one statement, on the server and in the client
IDLE_IN_TRANSACTION_S = 60.0  # a transaction left open by a hung handler is ended by the server
MIGRATION_LOCK_TIMEOUT_S = 60.0  # another instance migrating the same schema
MIGRATION_STATEMENT_TIMEOUT_S = 600.0  # a migration may rebuild an index


class BoundedPool(asyncpg.Pool):  # type: ignore[misc]
    """A pool whose acquire() waits at most acquire_timeout_s unless told otherwise."""

    acquire_timeout_s = ACQUIRE_TIMEOUT_S

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=self.acquire_timeout_s if timeout is None else timeout)


class Connection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection that can be told its session holds nothing to reset."""

    _session_unchanged = False

    def session_unchanged(self) -> None:
        self._session_unchanged = True


def session_unchanged(conn: asyncpg.Connection) -> None:
    """Says that since it was acquired, the connection ran only transactions with transaction-local
    settings (set_config(..., true), xact locks): the pool then skips its reset query on release
    (pg_advisory_unlock_all, CLOSE ALL, UNLISTEN *, RESET ALL), a round trip on every request.
    An open transaction is still rolled back, and a connection not so marked is reset in full."""
    mark = getattr(conn, "session_unchanged", None)
    if mark is not None:
        mark()


async def _reset(conn: asyncpg.Connection) -> None:
    if isinstance(conn, Connection) and conn._session_unchanged:
        conn._session_unchanged = False
        return
    query = conn.get_reset_query()
    if query:
        await conn.execute(query)


def _ms(seconds: float) -> str:
    return str(int(seconds * 1000))


def check_schema(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return schema


async def create_pool(dsn: str, schema: str) -> asyncpg.Pool:
    """A pool whose connections see the service's schema first."""
    check_schema(schema)
    server_settings = {
        "search_path": f"{schema},public",
        "application_name": schema,
        "statement_timeout": _ms(STATEMENT_TIMEOUT_S),
        "idle_in_transaction_session_timeout": _ms(IDLE_IN_TRANSACTION_S),
    }
    options: dict[str, Any] = {
        "connection_class": Connection,
        "reset": _reset,
        "record_class": asyncpg.Record,
        "min_size": 1,
        "max_size": POOL_MAX_SIZE,
        "max_queries": 50000,
        "max_inactive_connection_lifetime": 300.0,
        "loop": None,
    }
    pool = BoundedPool(dsn, command_timeout=STATEMENT_TIMEOUT_S, server_settings=server_settings, **options)
    await pool
    return pool


def _files(directory: Path, namespace: str) -> list[tuple[str, Path]]:
    return [(f"{namespace}/{path.name}", path) for path in sorted(directory.glob("*.sql"))]


def advisory_key(name: str | bytes) -> int:
    """A PostgreSQL advisory lock's 64-bit key for a name (the first 8 bytes of its SHA-256)."""
    raw = name.encode() if isinstance(name, str) else name
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big", signed=True)


def lock_key(schema: str) -> int:
    return advisory_key(schema)


async def migrate(
    pool: asyncpg.Pool, schema: str, service_migrations: Path | None, lock_timeout_s: float = MIGRATION_LOCK_TIMEOUT_S
) -> list[str]:
    """Applies the runtime's then the service's migrations not applied yet; returns what ran.

    An advisory lock serialises instances starting together (waiting at most lock_timeout_s);
    each file runs in its own transaction.
    """
    check_schema(schema)
    files = _files(RUNTIME_MIGRATIONS, "runtime")
    if service_migrations is not None:
        files += _files(service_migrations, "service")
    async with pool.acquire() as conn:
        await conn.execute(f"SET lock_timeout = {_ms(lock_timeout_s)}")
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", lock_key(schema), timeout=lock_timeout_s + 5)
        except asyncpg.LockNotAvailableError:
            held = f"schema {schema}: another instance held the migration lock for {lock_timeout_s} s"
            raise TimeoutError(held) from None
        finally:
            await conn.execute("RESET lock_timeout")
        try:
            return await _apply(conn, schema, files)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(schema))


async def _apply(conn: asyncpg.Connection, schema: str, files: list[tuple[str, Path]]) -> list[str]:
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations "
        "(version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    done = {r["version"] for r in await conn.fetch(f"SELECT version FROM {schema}.schema_migrations")}
    applied = []
    for version, path in files:
        if version in done:
            continue
        async with conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await conn.execute(f"SET LOCAL statement_timeout = {_ms(MIGRATION_STATEMENT_TIMEOUT_S)}")
            await conn.execute(path.read_text(encoding="utf-8"), timeout=MIGRATION_STATEMENT_TIMEOUT_S)
            await conn.execute(f"INSERT INTO {schema}.schema_migrations (version) VALUES ($1)", version)
        applied.append(version)
    return applied
