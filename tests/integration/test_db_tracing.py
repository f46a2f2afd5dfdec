"""A span per statement that does work (with its SQL, never its parameters), none for BEGIN,
COMMIT or the pool's reset."""

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runtime import db_tracing

pytestmark = pytest.mark.integration

SECRET = "ada.lovelace@example.org"


async def test_statements_get_spans_and_transaction_framing_does_not(fresh_database: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    db_tracing.instrument(provider)
    pool = await asyncpg.create_pool(fresh_database, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("CREATE TEMP TABLE people (email text)")
            await conn.execute("INSERT INTO people VALUES ($1)", SECRET)
            assert await conn.fetchval("SELECT count(*) FROM people WHERE email = $1", SECRET) == 1
        with pytest.raises(asyncpg.UndefinedTableError):
            await pool.fetchval("SELECT * FROM nowhere")
    finally:
        await pool.close()
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["CREATE", "INSERT", "SELECT", "SELECT"]
    attrs = dict(spans[1].attributes or {})
    assert attrs["db.system"] == "postgresql" and attrs["db.statement"] == "INSERT INTO people VALUES ($1)"
    assert all(SECRET not in s.to_json() for s in spans)
    assert not spans[3].status.is_ok and dict(spans[3].attributes or {})["error.type"] == "UndefinedTableError"
