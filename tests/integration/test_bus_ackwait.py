"""Backoff no longer replaces ack_wait: a long step runs once, and consumers are read back."""

import asyncio

import pytest
from nats.js.api import AckPolicy, ConsumerConfig

from autoapply.local.nats import NatsServer
from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from runtime import streams
from runtime.bus import Bus, Delivery
from runtime.errors import RefusedToStart
from tests.support import eventually, queued_event, queued_spec, unique

pytestmark = pytest.mark.integration


async def test_a_step_three_times_the_ack_wait_runs_once_across_two_instances(nats: NatsServer) -> None:
    # A backoff list used to become the server's ack wait (its first entry, 0.5 s here), while
    # heartbeats went out every third of the spec's 2 s.
    spec = queued_spec(ack_wait_s=2.0, max_deliver=5, backoff_s=(0.5, 0.5, 0.5, 0.5))
    runs: list[tuple[str, int]] = []
    buses = [Bus([nats.url], unique(name)) for name in ("a", "b")]
    for name, bus in zip("ab", buses, strict=True):

        async def step(event: Event, delivery: Delivery, name: str = name) -> None:
            runs.append((name, delivery.num_delivered))
            await asyncio.sleep(6.0)

        bus.subscribe(spec, step)
        await bus.start()
    try:
        assert buses[0].ack_wait_s(spec.durable) == 2.0  # heartbeats every third of the server's value
        await buses[0].publish(queued_event())
        await eventually(lambda: len(runs) == 1)
        await asyncio.sleep(7.0)
        info = await buses[0].js.consumer_info(EVENTS_STREAM, spec.durable)
    finally:
        for bus in buses:
            await bus.close(grace_s=1)
    assert [n for _, n in runs] == [1]
    assert info.num_ack_pending == 0 and info.num_redelivered == 0
    assert not info.config.backoff and info.config.ack_wait == 2.0


async def test_a_consumer_with_a_server_backoff_is_read_back_as_drift_then_declared_right(bus: Bus) -> None:
    spec = queued_spec(ack_wait_s=120.0)
    legacy = ConsumerConfig(
        durable_name=spec.durable,
        filter_subjects=list(spec.filter_subjects),
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=120.0,
        max_deliver=5,
        backoff=[1.0, 5.0, 15.0, 45.0],
    )
    await bus.js.add_consumer(EVENTS_STREAM, legacy)
    server = (await bus.js.consumer_info(EVENTS_STREAM, spec.durable)).config
    assert server.ack_wait == 1.0  # what the review measured: BackOff[0] replaced the ack wait
    wanted = streams.consumer_config(spec, replicas=1)
    with pytest.raises(RefusedToStart) as refused:
        streams.check_consumer(spec.durable, wanted, server)
    message = str(refused.value)
    assert spec.durable in message and "ack wait is 1.0 s on the server, 120.0 s declared" in message
    assert "backoff" in message and "max deliveries" in message
    info = await streams.declare_consumer(bus.js, spec, EVENTS_STREAM, replicas=1)
    assert info.config.ack_wait == 120.0 and not info.config.backoff
    assert info.config.max_deliver == streams.server_max_deliver(spec)


async def test_a_consumer_the_server_cannot_update_refuses_to_start(bus: Bus) -> None:
    spec = queued_spec()
    pushed = ConsumerConfig(
        durable_name=spec.durable,
        deliver_subject=unique("push"),
        filter_subjects=list(spec.filter_subjects),
        ack_policy=AckPolicy.EXPLICIT,
    )
    await bus.js.add_consumer(EVENTS_STREAM, pushed)
    with pytest.raises(RefusedToStart, match=spec.durable):
        await streams.declare_consumer(bus.js, spec, EVENTS_STREAM, replicas=1)


async def test_more_replicas_than_the_servers_have_is_refused_with_the_stream_named(nats: NatsServer) -> None:
    bus = Bus([nats.url], unique("r3-on-one"), replicas=3)
    try:
        with pytest.raises(RefusedToStart, match=f"stream {EVENTS_STREAM}: the server refused its config"):
            await bus.connect()
    finally:
        await bus.close()
