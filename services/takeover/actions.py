"""What an operator (or the clock) does to an intervention: resolve it, fail it, let it time out.

Each closes the intervention once (a second operator, or the timeout racing a person, finds it
closed and changes nothing), publishes its event through the outbox in the same transaction, and
is audited.
"""

import uuid
from datetime import UTC, datetime

from contracts.human import HumanResolved, HumanTimeout
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed
from runtime import outbox
from runtime.service import Service
from services.takeover import queue, store

# Where a resolved intervention sends the task when the operator says the application went out.
ALREADY_SUBMITTED = "submitted_by_operator"


class Conflict(Exception):
    """The intervention is closed already, or claimed by another operator."""


async def resolve(
    svc: Service, intervention_id: uuid.UUID, operator: str, resolution: str, answers: dict[str, str]
) -> store.Intervention:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await store.close(conn, intervention_id, "resolved", operator)
        if item is None:
            raise Conflict("this intervention is closed already")
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
        await outbox.enqueue(conn, svc.schema, resolved)
        await store.audit(
            conn, operator, intervention_id, "resolve", {"resolution": resolution, "answered": sorted(answers)}
        )
    await queue.remove(svc.redis, intervention_id)
    return item


async def fail(svc: Service, intervention_id: uuid.UUID, operator: str, why: str) -> store.Intervention:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await store.close(conn, intervention_id, "failed", operator)
        if item is None:
            raise Conflict("this intervention is closed already")
        failed = TaskFailed(
            event_id=uuid.uuid5(intervention_id, "failed"),
            task_id=item.task_id,
            user_id=item.user_id,
            causation_id=intervention_id,
            reason=FailureReason.INTERNAL,
            message=f"an operator ended the task: {why}"[:500],
        )
        await outbox.enqueue(conn, svc.schema, failed)
        await store.audit(conn, operator, intervention_id, "fail", {"why": why[:500]})
    await queue.remove(svc.redis, intervention_id)
    return item


async def time_out(svc: Service, intervention_id: uuid.UUID) -> bool:
    async with svc.pool.acquire() as conn, conn.transaction():
        item = await store.close(conn, intervention_id, "timed_out", "timeout")
        if item is None:
            return False
        waited = (datetime.now(UTC) - item.created_at).total_seconds()
        timeout = HumanTimeout(
            event_id=uuid.uuid5(intervention_id, "timeout"),
            task_id=item.task_id,
            user_id=item.user_id,
            causation_id=intervention_id,
            waited_s=round(waited, 1),
        )
        await outbox.enqueue(conn, svc.schema, timeout)
        await store.audit(conn, "timeout", intervention_id, "timeout", {"waited_s": round(waited, 1)})
    await queue.remove(svc.redis, intervention_id)
    return True
