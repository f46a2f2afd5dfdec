"""intake's SQL: tasks and their event history (the read model)."""

import asyncpg

from contracts.envelope import Event
from contracts.states import TaskState
from contracts.tasks import TaskQueued


async def lock_state(conn: asyncpg.Connection, task_id: object) -> TaskState | None:
    state = await conn.fetchval("SELECT state FROM tasks WHERE task_id = $1 FOR UPDATE", task_id)
    return TaskState(state) if state else None


async def record_event(
    conn: asyncpg.Connection, event: Event, before: TaskState | None, after: TaskState | None, trace_id: str | None
) -> None:
    await conn.execute(
        "INSERT INTO task_events (event_id, task_id, event_type, from_state, to_state, applied, occurred_at, "
        "trace_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT (event_id) DO NOTHING",
        event.event_id,
        event.task_id,
        event.TYPE,
        before and before.value,
        after and after.value,
        after is not None,
        event.occurred_at,
        trace_id,
        event.model_dump_json(),
    )


async def save_state(
    conn: asyncpg.Connection, event: Event, state: TaskState, outcome: TaskState | None, trace_id: str | None
) -> None:
    queued = event if isinstance(event, TaskQueued) else None
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, state, outcome, platform, job_url, trace_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_id) DO UPDATE SET state = EXCLUDED.state, "
        "outcome = COALESCE(EXCLUDED.outcome, tasks.outcome), updated_at = now(), "
        "platform = COALESCE(EXCLUDED.platform, tasks.platform), job_url = COALESCE(EXCLUDED.job_url, tasks.job_url), "
        "trace_id = COALESCE(tasks.trace_id, EXCLUDED.trace_id)",
        event.task_id,
        event.user_id,
        state.value,
        outcome and outcome.value,
        queued and queued.platform,
        queued and str(queued.job_url),
        trace_id,
    )
