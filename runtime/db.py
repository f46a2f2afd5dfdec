"""PostgreSQL through asyncpg: one schema per service, ordered SQL migrations."""

import hashlib
import re
from pathlib import Path

import asyncpg

RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Pool size per process: handlers are short transactions; the executor's browser work holds none.
POOL_MAX_SIZE = 10


def check_schema(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return schema


async def create_pool(dsn: str, schema: str) -> asyncpg.Pool:
    """A pool whose connections see the service's schema first."""
    check_schema(schema)
    pool = await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=POOL_MAX_SIZE,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
    )
    assert pool is not None
    return pool


def _files(directory: Path, namespace: str) -> list[tuple[str, Path]]:
    return [(f"{namespace}/{path.name}", path) for path in sorted(directory.glob("*.sql"))]


async def migrate(pool: asyncpg.Pool, schema: str, service_migrations: Path | None) -> list[str]:
    """Applies the runtime's then the service's migrations not applied yet; returns what ran.

    An advisory lock serialises instances starting together; each file runs in its own transaction.
    """
    check_schema(schema)
    files = _files(RUNTIME_MIGRATIONS, "runtime")
    if service_migrations is not None:
        files += _files(service_migrations, "service")
    lock_key = int.from_bytes(hashlib.sha256(schema.encode()).digest()[:8], "big", signed=True)
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key)
        try:
            return await _apply(conn, schema, files)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key)


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
            await conn.execute(path.read_text(encoding="utf-8"))
            await conn.execute(f"INSERT INTO {schema}.schema_migrations (version) VALUES ($1)", version)
        applied.append(version)
    return applied
