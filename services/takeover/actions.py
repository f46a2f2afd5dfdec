"""What an operator (or the clock) does to an intervention: resolve it, fail it, let it time out.

Each closes the intervention once (a second operator, or the timeout racing a person, finds it
closed and changes nothing), publishes its event through the outbox in the same transaction, and
is audited. Each runs as a step span in the task's trace (the context stored when the
intervention opened), so what an operator does continues the task's trace, not the trace of the
operator's HTTP request.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import asyncpg

from contracts.envelope import Event
from contracts.human import HumanResolved, HumanTimeout
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed
from runtime import outbox, telemetry
from runtime.service import Service
from services.takeover import queue, store

# Where a resolved intervention sends the task when the operator says the application went out.
ALREADY_SUBMITTED = "submitted_by_operator"


class Conflict(Exception):
    """The intervention is closed already, or claimed by another operator."""


@contextmanager
def in_task_trace(item: store.Intervention, name: str) -> Iterator[None]:
    with telemetry.step(name, context=telemetry.resumed(item.traceparent), task_id=str(item.task_id), kind=item.kind):
        yield


async def _close(conn: asyncpg.Connection, intervention_id: uuid.UUID, outcome: str, by: str) -> store.Intervention:
    item = await store.close(conn, intervention_id, outcome, by)
    if item is None:
        raise Conflict("this intervention is closed already")
    return item


async def _publish(conn: asyncpg.Connection, svc: Service, event: Event) -> None:
    await outbox.enqueue(conn, svc.schema, event)


async def resolve(
    svc: Service, intervention_id: uuid.UUID, operator: str, resolution: str, answers: dict[str, str]
) -> store.Intervention:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await _close(conn, intervention_id, "resolved", operator)
        target = TaskState.VERIFYING_SUBMISSION if resolution == ALREADY_SUBMITTED else TaskState(item.resume_state)
        resolved = HumanResolved(
            event_id=uuid.uuid5(intervention_id, "resolved"),
            task_id=item.task_id,
            user_id=item.user_id,
            causation_id=intervention_id,
            resolution=resolution,
            operator_id=operator,
            resume_state=target,
            answers=answers,
        )
        with in_task_trace(item, "operator resolve"):
            await _publish(conn, svc, resolved)
        await store.audit(
            conn, operator, intervention_id, "resolve", {"resolution": resolution, "answered": sorted(answers)}
        )
    await queue.remove(svc.redis, intervention_id)
    return item


async def fail(svc: Service, intervention_id: uuid.UUID, operator: str, why: str) -> store.Intervention:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await _close(conn, intervention_id, "failed", operator)
        failed = TaskFailed(
            event_id=uuid.uuid5(intervention_id, "failed"),
            task_id=item.task_id,
            user_id=item.user_id,
            causation_id=intervention_id,
            reason=FailureReason.INTERNAL,
            message=f"an operator ended the task: {why}"[:500],
        )
        with in_task_trace(item, "operator fail"):
            await _publish(conn, svc, failed)
        await store.audit(conn, operator, intervention_id, "fail", {"why": why[:500]})
    await queue.remove(svc.redis, intervention_id)
    return item


async def time_out(svc: Service, intervention_id: uuid.UUID) -> bool:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await store.close(conn, intervention_id, "timed_out", "timeout")
        if item is None:
            return False
        waited = round((datetime.now(UTC) - item.created_at).total_seconds(), 1)
        timeout = HumanTimeout(
            event_id=uuid.uuid5(intervention_id, "timeout"),
            task_id=item.task_id,
            user_id=item.user_id,
            causation_id=intervention_id,
            waited_s=waited,
        )
        with in_task_trace(item, "human timeout"):
            await _publish(conn, svc, timeout)
        await store.audit(conn, "timeout", intervention_id, "timeout", {"waited_s": waited})
    await queue.remove(svc.redis, intervention_id)
    return True
