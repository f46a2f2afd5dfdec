"""`autoapply status` shows each service's unsent and parked outbox rows, read from PostgreSQL."""

import asyncio

import pytest

from autoapply.cli import render_outboxes
from autoapply.local.status import outboxes
from runtime import db, outbox
from tests.support import queued_event

pytestmark = pytest.mark.integration


async def _service_with_rows(dsn: str, schema: str, unsent: int, parked: int) -> list[str]:
    pool = await db.create_pool(dsn, schema)
    try:
        await db.migrate(pool, schema, None)
        events = [queued_event() for _ in range(unsent + parked)]
        async with pool.acquire() as conn, conn.transaction():
            for event in events:
                await outbox.enqueue(conn, schema, event)
        ids = [e.event_id for e in events[:parked]]
        await pool.execute(
            "UPDATE outbox SET parked_at = now(), attempts = 1, last_error = 'MaxPayloadError: too big' "
            "WHERE id = ANY($1::uuid[])",
            ids,
        )
        return [str(i) for i in ids]
    finally:
        await pool.close()


async def test_status_counts_unsent_and_parked_rows_per_service(fresh_database: str) -> None:
    parked = await _service_with_rows(fresh_database, "intake", unsent=2, parked=1)
    await _service_with_rows(fresh_database, "executor", unsent=0, parked=0)
    report, error = await asyncio.to_thread(outboxes, fresh_database, ("intake", "executor", "verifier"))
    assert error is None
    assert set(report) == {"intake", "executor"}  # verifier never started: no schema, no entry
    assert (report["intake"]["pending"], report["intake"]["parked"]) == (2, 1)
    assert [r["id"] for r in report["intake"]["parked_rows"]] == parked
    assert report["intake"]["parked_rows"][0]["error"] == "MaxPayloadError: too big"
    lines = render_outboxes({"outbox": report})
    assert lines[0] == "outbox intake: 2 unsent, 1 parked"
    assert lines[1].startswith(f"  parked {parked[0]} task.queued.") and lines[1].endswith("MaxPayloadError: too big")
    assert len(lines) == 2  # executor has nothing to say


def test_status_says_when_postgres_cannot_be_read() -> None:
    report, error = outboxes("postgresql://nobody@127.0.0.1:1/none", ("intake",))
    assert report == {} and error is not None and "Error" in error
    assert render_outboxes({"outbox_error": error}) == [f"outboxes: unavailable ({error})"]
