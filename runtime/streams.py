"""Streams and durable pull consumers, declared in code from contracts.streams, then read back.

A service never scales a stream or consumer down: one configured for fewer replicas than the
server has refuses to start. Scaling up is allowed (an operator raising AUTOAPPLY_REPLICAS).
After declaring a consumer the service reads it back and refuses to start when the server's
config differs from what it asked for (naming the consumer and the field).
"""

import math

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    ConsumerInfo,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, NotFoundError

from contracts import streams as names
from contracts.subjects import STREAM_SUBJECTS
from runtime.errors import RefusedToStart

# The server reports durations in nanoseconds; a readback within this of the spec is the same.
_SECONDS_TOLERANCE = 0.001


def _stream(name: str, subjects: list[str], max_age_s: float, replicas: int, **extra: object) -> StreamConfig:
    # Limits retention: a message stays after one consumer acks it, for the other consumers, for
    # the dead-letter copier (which reads it by sequence) and for rebuilding read models.
    return StreamConfig(
        name=name,
        subjects=subjects,
        retention=RetentionPolicy.LIMITS,
        max_age=max_age_s,
        storage=StorageType.FILE,
        num_replicas=replicas,
        discard=DiscardPolicy.OLD,
        duplicate_window=names.DUPLICATE_WINDOW_S,
        **extra,  # type: ignore[arg-type]
    )


def stream_configs(replicas: int) -> list[StreamConfig]:
    dead = [f"{names.DEAD_LETTER_SUBJECT_PREFIX}.>"]
    outages = [f"{names.OUTAGE_SUBJECT_PREFIX}.>"]
    return [
        _stream(names.EVENTS_STREAM, list(STREAM_SUBJECTS), names.EVENTS_MAX_AGE_S, replicas),
        _stream(names.DEAD_LETTER_STREAM, dead, names.DEAD_LETTER_MAX_AGE_S, replicas),
        _stream(names.ADVISORY_STREAM, list(names.ADVISORY_SUBJECTS), names.DEAD_LETTER_MAX_AGE_S, replicas),
        # One note per (consumer, message): only the last count matters.
        _stream(names.OUTAGE_STREAM, outages, names.EVENTS_MAX_AGE_S, replicas, max_msgs_per_subject=1),
    ]


def _refuse_scale_down(kind: str, name: str, has: int, wanted: int) -> None:
    if has > wanted:
        raise RefusedToStart(
            f"{kind} {name} has {has} replicas on the server and this service is configured for {wanted}: "
            f"refusing to scale it down (set AUTOAPPLY_REPLICAS={has})"
        )


async def declare_streams(js: JetStreamContext, replicas: int) -> None:
    """Creates the streams, or brings an existing one's config up to date (never fewer replicas)."""
    for config in stream_configs(replicas):
        assert config.name is not None
        try:
            await _declare_stream(js, config, replicas)
        except APIError as exc:  # e.g. 3 replicas asked of a single server
            raise RefusedToStart(f"stream {config.name}: the server refused its config: {exc.description}") from None


async def _declare_stream(js: JetStreamContext, config: StreamConfig, replicas: int) -> None:
    assert config.name is not None
    try:
        info = await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
        return
    _refuse_scale_down("stream", config.name, info.config.num_replicas or 1, replicas)
    await js.update_stream(config)


def server_max_deliver(spec: names.ConsumerSpec) -> int:
    return spec.max_deliver + names.OUTAGE_DELIVERIES


def consumer_config(spec: names.ConsumerSpec, replicas: int, deliver: DeliverPolicy | None = None) -> ConsumerConfig:
    """No backoff list: the server would use its first entry as the ack wait; naks carry the delays."""
    start = DeliverPolicy.ALL if spec.start_from == "all" else DeliverPolicy.NEW
    return ConsumerConfig(
        durable_name=spec.durable,
        name=spec.durable,
        filter_subjects=list(spec.filter_subjects),
        deliver_policy=deliver or start,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=spec.ack_wait_s,
        max_deliver=server_max_deliver(spec),
        max_ack_pending=spec.max_ack_pending,
        num_replicas=replicas,
    )


async def declare_consumer(js: JetStreamContext, spec: names.ConsumerSpec, stream: str, replicas: int) -> ConsumerInfo:
    """Creates the durable or updates it in place (it keeps its position), then reads it back."""
    try:
        existing: ConsumerInfo | None = await js.consumer_info(stream, spec.durable)
    except NotFoundError:
        existing = None
    deliver = None
    if existing is not None:
        _refuse_scale_down("consumer", spec.durable, existing.config.num_replicas or 1, replicas)
        deliver = existing.config.deliver_policy  # fixed at creation; it only chose the start
    wanted = consumer_config(spec, replicas, deliver)
    try:
        await js.add_consumer(stream, wanted)
    except APIError as exc:  # e.g. a field the server cannot change in place
        if isinstance(exc, NotFoundError):
            raise
        raise RefusedToStart(f"consumer {spec.durable}: the server refused its config: {exc.description}") from None
    info: ConsumerInfo = await js.consumer_info(stream, spec.durable)
    check_consumer(spec.durable, wanted, info.config)
    return info


def _filters(config: ConsumerConfig) -> set[str]:
    return set(config.filter_subjects or ([config.filter_subject] if config.filter_subject else []))


def differences(wanted: ConsumerConfig, server: ConsumerConfig) -> list[str]:
    """The fields where the server's config is not what was declared, described."""
    found = []
    if not math.isclose(server.ack_wait or 0, wanted.ack_wait or 0, abs_tol=_SECONDS_TOLERANCE):
        found.append(f"ack wait is {server.ack_wait} s on the server, {wanted.ack_wait} s declared")
    if server.backoff:
        found.append(f"backoff is {server.backoff} on the server (it replaces the ack wait), none declared")
    if server.max_deliver != wanted.max_deliver:
        found.append(f"max deliveries is {server.max_deliver} on the server, {wanted.max_deliver} declared")
    has, declared = sorted(_filters(server)), sorted(_filters(wanted))
    if has != declared:
        found.append(f"filter subjects are {has} on the server, {declared} declared")
    if (server.num_replicas or 1) != (wanted.num_replicas or 1):
        found.append(f"replicas is {server.num_replicas} on the server, {wanted.num_replicas} declared")
    if server.max_ack_pending != wanted.max_ack_pending:
        found.append(f"max ack pending is {server.max_ack_pending} on the server, {wanted.max_ack_pending} declared")
    return found


def check_consumer(durable: str, wanted: ConsumerConfig, server: ConsumerConfig) -> None:
    found = differences(wanted, server)
    if found:
        raise RefusedToStart(f"consumer {durable} differs from its spec: {'; '.join(found)}")
