"""A consumer process for crash tests: applies each event once, and can die right after a commit.

Environment: NATS_URL, DSN, DURABLE, SCHEMA, CRASH_MARKER (a file: when the event's job_key is
"crash" and the file does not exist yet, the process creates it and SIGKILLs itself after the
commit and before the ack).
"""

import asyncio
import os
import signal
from pathlib import Path

import asyncpg

from contracts.envelope import Event
from contracts.streams import ConsumerSpec
from runtime import db
from runtime.bus import Bus, Delivery
from runtime.inbox import handle_once

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS applied (event_id uuid PRIMARY KEY, times integer NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (event_id uuid NOT NULL, num_delivered integer NOT NULL, pid integer NOT NULL);
"""


async def main() -> None:
    env = os.environ
    pool = await db.create_pool(env["DSN"], env["SCHEMA"])
    await db.migrate(pool, env["SCHEMA"], None)
    await pool.execute(SCHEMA_SQL)
    marker = Path(env["CRASH_MARKER"])
    spec = ConsumerSpec(
        durable=env["DURABLE"],
        filter_subjects=("task.queued.>",),
        ack_wait_s=2.0,
        max_deliver=5,
        backoff_s=(2.0, 2.0, 2.0, 2.0),
    )

    async def handle(event: Event, delivery: Delivery) -> None:
        await pool.execute(
            "INSERT INTO deliveries VALUES ($1, $2, $3)", event.event_id, delivery.num_delivered, os.getpid()
        )

        async def apply(conn: asyncpg.Connection) -> None:
            await conn.execute(
                "INSERT INTO applied VALUES ($1, 1) ON CONFLICT (event_id) DO UPDATE SET times = applied.times + 1",
                event.event_id,
            )

        await handle_once(pool, spec.durable, event, apply)
        if getattr(event, "job_key", "") == "crash" and not marker.exists():
            marker.write_text("crashed after commit, before ack")
            os.kill(os.getpid(), signal.SIGKILL)

    bus = Bus([env["NATS_URL"]], f"worker-{os.getpid()}")
    bus.subscribe(spec, handle)
    await bus.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
