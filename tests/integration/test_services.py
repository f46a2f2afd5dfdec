"""The five services as real processes: they start, migrate, answer health, consume; two
instances of one service share its durable and split the work; intake projects one trace per task."""

from pathlib import Path

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider

from autoapply.local.nats import NatsServer
from contracts.profiles import ProfileReleased
from contracts.states import SERVICES, TaskState
from contracts.tasks import TaskProgress
from runtime.bus import Bus
from tests.processes import Child, service_env, stop_all, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration


def start(name: str, nats: NatsServer, dsn: str, redis_url: str, tmp_path: Path, instance: int = 1) -> Child:
    env = service_env(name, nats.url, dsn, redis_url, tmp_path, instance)
    return Child(f"services.{name}", env, tmp_path / f"{name}-{instance}.log")


async def test_every_service_starts_migrates_and_answers_healthy(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    children = [start(name, nats, fresh_database, redis_url, tmp_path) for name in SERVICES]
    try:
        answers = [await wait_healthy(child) for child in children]
    finally:
        codes = stop_all(children)
    assert all(a["healthy"] and all(a["checks"].values()) for a in answers)  # type: ignore[union-attr]
    assert [a["service"] for a in answers] == list(SERVICES)
    assert codes == [0] * len(SERVICES)  # a clean stop on SIGTERM
    conn = await asyncpg.connect(fresh_database)
    try:
        schemas = {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
    finally:
        await conn.close()
    assert set(SERVICES) <= schemas  # one schema per service


async def test_two_instances_of_a_service_split_the_work_each_event_once(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    # The executor's task.queued consumer records each task in its own store, once, naming the
    # instance that did: the split is measured without browsers (the flow has its own e2e tests).
    children = [start("executor", nats, fresh_database, redis_url, tmp_path, i) for i in (1, 2)]
    bus = Bus([nats.url], unique("publisher"))
    try:
        for child in children:
            await wait_healthy(child, timeout_s=90)  # the executor imports Playwright and the form engine
        await bus.connect()
        events = [queued_event() for _ in range(60)]
        for event in events:
            await bus.publish(event)
        conn = await asyncpg.connect(fresh_database)
        try:
            await eventually(lambda: _count(conn, "SELECT count(*) FROM executor.tasks", 60), timeout_s=30)
            handlers = await conn.fetch("SELECT queued_by, count(*) AS n FROM executor.tasks GROUP BY 1")
            applied = await conn.fetchval(
                "SELECT count(*) FROM executor.processed_events WHERE consumer = 'executor-queued'"
            )
        finally:
            await conn.close()
    finally:
        stop_all(children)
        await bus.close()
    assert applied == 60
    assert {r["queued_by"] for r in handlers} == {"executor-1", "executor-2"}
    assert sum(r["n"] for r in handlers) == 60


async def test_intake_projects_states_and_keeps_one_trace_per_task(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    intake = start("intake", nats, fresh_database, redis_url, tmp_path)
    provider = TracerProvider()
    bus = Bus([nats.url], unique("publisher"), tracer_provider=provider)
    queued = queued_event()
    ids = {"task_id": queued.task_id, "user_id": queued.user_id}
    try:
        await wait_healthy(intake)
        await bus.connect()
        with provider.get_tracer("test").start_as_current_span("task") as root:
            await bus.publish(queued)
            await bus.publish(ProfileReleased(**ids))  # out of order: recorded, not applied
            await bus.publish(TaskProgress(**ids, state=TaskState.PROVISIONING, causation_id=queued.event_id))
        conn = await asyncpg.connect(fresh_database)
        try:
            await eventually(lambda: _count(conn, "SELECT count(*) FROM intake.task_events", 3), timeout_s=20)
            task = await conn.fetchrow("SELECT * FROM intake.tasks WHERE task_id = $1", queued.task_id)
            history = await conn.fetch(
                "SELECT event_type, to_state, applied, trace_id FROM intake.task_events ORDER BY occurred_at"
            )
        finally:
            await conn.close()
    finally:
        intake.stop()
        await bus.close()
    assert task["state"] == "PROVISIONING" and task["platform"] == "generic"
    assert [(h["event_type"], h["to_state"], h["applied"]) for h in history] == [
        ("task.queued", "QUEUED", True),
        ("profile.released", None, False),
        ("task.progress", "PROVISIONING", True),
    ]
    trace_id = format(root.get_span_context().trace_id, "032x")
    assert task["trace_id"] == trace_id and {h["trace_id"] for h in history} == {trace_id}


async def _count(conn: asyncpg.Connection, sql: str, n: int) -> bool:
    try:
        return bool(await conn.fetchval(sql) == n)
    except asyncpg.UndefinedTableError:
        return False
