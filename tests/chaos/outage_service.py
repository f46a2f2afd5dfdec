"""A service for outage tests, run like the real ones (runtime.service with AUTOAPPLY_* settings):
it applies each task.queued event once, noting the delivery that applied it.

Extra environment: OUTAGE_DURABLE (its consumer), OUTAGE_STEP_S (how long each event takes before
its transaction, so some are in flight when a dependency goes away).
"""

import asyncio
import os
from functools import partial
from pathlib import Path

import asyncpg

from contracts.envelope import Event
from contracts.streams import ConsumerSpec
from runtime import settings
from runtime.bus import Delivery
from runtime.inbox import handle_once
from runtime.service import Service, configure_logging, serve
from runtime.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "outage_migrations"


def spec(durable: str) -> ConsumerSpec:
    # A retry budget of about a second: any outage in the test is far longer.
    return ConsumerSpec(
        durable=durable, filter_subjects=("task.queued.>",), ack_wait_s=5.0, max_deliver=3, backoff_s=(0.5, 0.5)
    )


async def apply_once(svc: Service, durable: str, step_s: float, event: Event, delivery: Delivery) -> None:
    await asyncio.sleep(step_s)

    async def apply(conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO applied VALUES ($1, 1, $2) ON CONFLICT (event_id) DO UPDATE SET times = applied.times + 1",
            event.event_id,
            delivery.num_delivered,
        )

    await handle_once(svc.pool, durable, event, apply)


def main() -> None:
    config = settings.load(ServiceSettings)
    configure_logging(config.log_level, config.instance)
    svc = Service(config, MIGRATIONS)
    durable = os.environ["OUTAGE_DURABLE"]
    svc.consume(spec(durable), partial(apply_once, svc, durable, float(os.environ.get("OUTAGE_STEP_S", "0"))))
    asyncio.run(serve(svc))


if __name__ == "__main__":
    main()
