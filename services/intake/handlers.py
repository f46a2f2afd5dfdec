"""intake's handlers: every event of every task feeds the read model."""

import asyncpg

from contracts.envelope import Event
from runtime import telemetry
from runtime.bus import Delivery
from runtime.inbox import handle_once
from runtime.service import Service
from services.intake import state, store

READ_MODEL_CONSUMER = "intake-read-model"


async def project(svc: Service, event: Event, delivery: Delivery) -> None:
    trace_id = telemetry.trace_id_of(delivery.headers)

    async def apply(conn: asyncpg.Connection) -> None:
        before = await store.lock_state(conn, event.task_id)
        after = state.next_state(before, event)
        await store.record_event(conn, event, before, after, trace_id)
        if after is not None:
            await store.save_state(conn, event, after, state.outcome_of(after), trace_id)

    await handle_once(svc.pool, READ_MODEL_CONSUMER, event, apply, trace_id)
