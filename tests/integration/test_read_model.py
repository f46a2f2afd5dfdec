"""intake's read model against a real intake process: each event is placed by its position in the
task's history, whatever order (or how many times) the stream delivers it."""

import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from autoapply.local.nats import NatsServer
from contracts.envelope import Event
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.tasks import TaskProgress
from runtime.bus import Bus, encode
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration

S = TaskState
TIMELINE = [
    ("task.queued", "QUEUED"),
    ("task.progress", "PROVISIONING"),
    ("profile.ready", "READY"),
    ("task.progress", "NAVIGATING"),
    ("task.progress", "ANALYZING"),
    ("task.progress", "EXECUTING_RPA"),
]


def history() -> list[Event]:
    """Six events of one task, a millisecond apart, in the order they happened."""
    queued = queued_event()
    ids = {"task_id": queued.task_id, "user_id": queued.user_id}
    start = queued.occurred_at
    later = [
        TaskProgress(**ids, state=S.PROVISIONING),
        ProfileReady(**ids, profile_id="p1", provider="local", platform="generic", cdp_url="http://127.0.0.1:9"),
        TaskProgress(**ids, state=S.NAVIGATING),
        TaskProgress(**ids, state=S.ANALYZING),
        TaskProgress(**ids, state=S.EXECUTING_RPA),
    ]
    at = [start + timedelta(milliseconds=i) for i in range(1, 6)]
    return [queued, *(e.model_copy(update={"occurred_at": t}) for e, t in zip(later, at, strict=True))]


async def publish_again(bus: Bus, event: Event) -> None:
    """As a replay does: the same event under a new Nats-Msg-Id, so the stream stores it again."""
    subject, payload, headers = encode(event)
    await bus.publish_raw(subject, payload, {**headers, "Nats-Msg-Id": f"again-{uuid.uuid4()}"})


async def test_reversed_duplicated_and_replayed_events_end_in_the_right_state_and_timeline(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    env = service_env("intake", nats.url, fresh_database, redis_url, tmp_path)
    intake = Child("services.intake", env, tmp_path / "intake.log")
    bus = Bus([nats.url], unique("publisher"))
    reversed_, twice, replayed = history(), history(), history()
    try:
        await wait_healthy(intake)
        await bus.connect()
        for event in reversed(reversed_):
            await bus.publish(event)
        for event in twice:
            await bus.publish(event)
            await publish_again(bus, event)
        late = replayed[2]  # dead-lettered once, replayed after every later event
        for event in replayed:
            if event is not late:
                await bus.publish(event)
        await publish_again(bus, late)
        conn = await asyncpg.connect(fresh_database)
        try:
            await eventually(lambda: _handled(conn, 18), timeout_s=30)
            results = {name: await _task(conn, h[0].task_id) for name, h in _named(reversed_, twice, replayed)}
            deliveries = await conn.fetchval("SELECT count(*) FROM intake.task_events")
        finally:
            await conn.close()
    finally:
        intake.stop()
        await bus.close()
    for name, (state, timeline) in results.items():
        assert state == "EXECUTING_RPA", name
        assert timeline == [(t, s, True) for t, s in TIMELINE], name
    assert deliveries == 18  # the duplicates left no second row


def _named(*histories: list[Event]) -> list[tuple[str, list[Event]]]:
    return list(zip(("reversed", "twice", "replayed"), histories, strict=True))


async def _handled(conn: asyncpg.Connection, n: int) -> bool:
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM intake.processed_events") == n)
    except asyncpg.UndefinedTableError:
        return False


async def _task(conn: asyncpg.Connection, task_id: uuid.UUID) -> tuple[str, list[tuple[str, str, bool]]]:
    state = await conn.fetchval("SELECT state FROM intake.tasks WHERE task_id = $1", task_id)
    rows = await conn.fetch(
        "SELECT event_type, to_state, applied FROM intake.task_events WHERE task_id = $1 ORDER BY position", task_id
    )
    return state, [(r["event_type"], r["to_state"], r["applied"]) for r in rows]
