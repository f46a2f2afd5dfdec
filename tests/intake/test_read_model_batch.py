"""The read model's batches on a real PostgreSQL: a task's events folded together, out of order, twice,
across batches applied at the same time, end in the state and timeline their occurred_at order
gives; a batch that fails leaves nothing behind; acks lost midway bring back redeliveries that
apply nothing twice."""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from types import SimpleNamespace
from typing import cast

import asyncpg
import nats
import nats.errors
import pytest
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.client import JetStreamContext

from contracts.envelope import Event
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.streams import ConsumerSpec
from contracts.tasks import TaskProgress
from runtime import db
from runtime.batch import Batches, Item, delivery_of
from runtime.bus import Delivery, encode
from runtime.codec import decode
from runtime.errors import PermanentError
from runtime.service import Service
from services.intake import handlers
from services.intake.app import MIGRATIONS
from tests.support import queued_event, unique

pytestmark = pytest.mark.integration

S = TaskState
STATES = ["QUEUED", "PROVISIONING", "READY", "NAVIGATING", "ANALYZING", "EXECUTING_RPA"]


@pytest.fixture
async def svc(fresh_database: str) -> AsyncIterator[Service]:
    pool = await db.create_pool(fresh_database, "intake")
    await db.migrate(pool, "intake", MIGRATIONS)
    try:
        yield cast(Service, SimpleNamespace(pool=pool, settings=SimpleNamespace(instance="intake-test")))
    finally:
        await pool.close()


def history() -> list[Event]:
    """Six events of one task, a millisecond apart, in the order they happened."""
    queued = queued_event()
    ids = {"task_id": queued.task_id, "user_id": queued.user_id}
    later: list[Event] = [
        TaskProgress(**ids, state=S.PROVISIONING),
        ProfileReady(**ids, profile_id="p1", provider="local", platform="generic", cdp_url="http://127.0.0.1:9"),
        TaskProgress(**ids, state=S.NAVIGATING),
        TaskProgress(**ids, state=S.ANALYZING),
        TaskProgress(**ids, state=S.EXECUTING_RPA),
    ]
    at = [queued.occurred_at + timedelta(milliseconds=i) for i in range(1, 6)]
    return [queued, *(e.model_copy(update={"occurred_at": t}) for e, t in zip(later, at, strict=True))]


def items(events: list[Event]) -> list[Item]:
    return [(e, cast(Delivery, SimpleNamespace(headers={}))) for e in events]


async def timeline(pool: asyncpg.Pool, task_id: object) -> tuple[str, list[tuple[int, str, bool]]]:
    state = await pool.fetchval("SELECT state FROM intake.tasks WHERE task_id = $1", task_id)
    rows = await pool.fetch(
        "SELECT position, to_state, applied FROM intake.task_events WHERE task_id = $1 ORDER BY position", task_id
    )
    return state, [(r["position"], r["to_state"], r["applied"]) for r in rows]


EXPECTED = ("EXECUTING_RPA", [(i, s, True) for i, s in enumerate(STATES, start=1)])


async def test_one_batch_with_a_tasks_events_reversed_and_twice_folds_them_in_their_order(svc: Service) -> None:
    events = history()
    await handlers.project_many(svc, items([*reversed(events), events[2], events[0]]))
    assert await timeline(svc.pool, events[0].task_id) == EXPECTED
    counts = await svc.pool.fetchrow(
        "SELECT (SELECT count(*) FROM intake.task_events) AS stored, "
        "(SELECT count(*) FROM intake.processed_events) AS processed, "
        "(SELECT events_seen FROM intake.task_ledger) AS seen"
    )
    assert tuple(counts) == (6, 6, 6)


async def test_batches_at_the_same_time_sharing_tasks_end_right_and_store_each_event_once(svc: Service) -> None:
    tasks = [history() for _ in range(6)]
    shuffled = [e for h in tasks for e in h]
    rng = random.Random(7)
    batches = []
    for _ in range(4):  # every event in at least one batch, many in several; each batch's order its own
        rng.shuffle(shuffled)
        batches.append(items(shuffled[: len(shuffled) * 3 // 4]))
    batches.append(items(list(reversed(shuffled))))
    await asyncio.gather(*(handlers.project_many(svc, b) for b in batches))
    for h in tasks:
        assert await timeline(svc.pool, h[0].task_id) == EXPECTED
    assert await svc.pool.fetchval("SELECT count(*) FROM intake.task_events") == 36
    assert await svc.pool.fetchval("SELECT sum(events_seen) FROM intake.task_ledger") == 36


async def test_a_later_batch_places_an_early_event_that_came_last(svc: Service) -> None:
    events = history()
    await handlers.project_many(svc, items(events[1:]))
    assert (await timeline(svc.pool, events[0].task_id))[0] is None  # nothing applies before task.queued
    await handlers.project_many(svc, items(events[:1]))
    assert await timeline(svc.pool, events[0].task_id) == EXPECTED


async def test_a_batch_that_fails_leaves_nothing_and_its_events_apply_alone(svc: Service) -> None:
    good = history()
    # PostgreSQL refuses a NUL character in JSON: the whole batch rolls back; the read model's
    # single path then refuses only this event, for the dead letters.
    bad = queued_event(preferences={"note": "a letter\x00"})
    with pytest.raises(asyncpg.DataError):
        await handlers.project_many(svc, items([*good, bad]))
    assert await svc.pool.fetchval("SELECT count(*) FROM intake.processed_events") == 0
    assert await svc.pool.fetchval("SELECT count(*) FROM intake.task_events") == 0
    for event, delivery in items(good):
        await handlers.project(svc, event, delivery)
    with pytest.raises(PermanentError, match=r"read model refused task\.queued"):
        await handlers.project(svc, bad, cast(Delivery, SimpleNamespace(headers={})))
    assert await timeline(svc.pool, good[0].task_id) == EXPECTED


async def _fetch(sub: JetStreamContext.PullSubscription, count: int, timeout_s: float = 10) -> list[Msg]:
    """Until `count` messages came (the server redelivers each after its ack wait)."""
    got: list[Msg] = []
    deadline = asyncio.get_running_loop().time() + timeout_s
    while len(got) < count and asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(nats.errors.TimeoutError):
            got += await sub.fetch(count - len(got), timeout=1)
    return got


async def test_acks_lost_when_the_connection_drops_midway_come_back_and_apply_nothing_twice(
    svc: Service, nats_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = history()
    stream, durable = unique("READMODEL"), unique("read-model")
    spec = ConsumerSpec(durable=durable, filter_subjects=("task.>",), fetch_batch=10, skip_unknown_types=True)
    first = await nats.connect(nats_url)
    js = first.jetstream()
    await js.add_stream(name=stream, subjects=[f"{s}.{events[0].task_id}" for s in ("task.*", "task.*.*", "profile.*")])
    await js.add_consumer(stream, ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=1))
    for event in events:
        subject, payload, headers = encode(event)
        await js.publish(subject, payload, headers=headers, stream=stream)
    msgs = await _fetch(await js.pull_subscribe_bind(durable, stream), len(events))
    real_ack = msgs[2].ack

    async def drop_then_ack() -> None:  # the third ack: the connection goes first
        await first.close()
        await real_ack()

    monkeypatch.setattr(msgs[2], "ack", drop_then_ack)
    alone: list[Msg] = []

    async def single(msg: Msg) -> None:  # runtime.delivery's path, for a redelivery
        alone.append(msg)
        await handlers.project(svc, decode(msg.subject, msg.data), delivery_of(spec, msg))
        await msg.ack_sync()

    batches = Batches(spec, partial(handlers.project_many, svc), single, lambda: 1.0)
    await batches.run(msgs)  # committed; from the third on, the acks are lost
    again = await nats.connect(nats_url)
    try:
        back = await _fetch(await again.jetstream().pull_subscribe_bind(durable, stream), len(events) - 2)
        await batches.run(back)
        assert {m.headers["Nats-Msg-Id"] for m in alone if m.headers} >= {str(e.event_id) for e in events[2:]}
        assert all(m.metadata.num_delivered > 1 for m in alone)
        assert await timeline(svc.pool, events[0].task_id) == EXPECTED
        seen = await svc.pool.fetchval("SELECT events_seen FROM intake.task_ledger")
        assert (seen, await svc.pool.fetchval("SELECT count(*) FROM intake.task_events")) == (6, 6)  # folded once
        info = await again.jetstream().consumer_info(stream, durable)
        assert info.num_ack_pending == 0 and info.num_pending == 0
    finally:
        await again.close()
