"""Streams and durable pull consumers, declared in code from contracts.streams."""

import logging

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from contracts import streams as names
from contracts.subjects import STREAM_SUBJECTS

log = logging.getLogger(__name__)


def _stream(name: str, subjects: list[str], max_age_s: float, replicas: int) -> StreamConfig:
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
    )


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    dead = [f"{names.DEAD_LETTER_SUBJECT_PREFIX}.>"]
    return [
        _stream(names.EVENTS_STREAM, list(STREAM_SUBJECTS), names.EVENTS_MAX_AGE_S, replicas),
        _stream(names.DEAD_LETTER_STREAM, dead, names.DEAD_LETTER_MAX_AGE_S, replicas),
        _stream(names.ADVISORY_STREAM, list(names.ADVISORY_SUBJECTS), names.DEAD_LETTER_MAX_AGE_S, replicas),
    ]


async def declare_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Creates the streams, or brings an existing one's config up to date."""
    for config in stream_configs(replicas):
        try:
            await js.stream_info(config.name)  # type: ignore[arg-type]
            await js.update_stream(config)
        except NotFoundError:
            await js.add_stream(config)


def consumer_config(spec: names.ConsumerSpec, replicas: int = 1) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=spec.durable,
        name=spec.durable,
        filter_subjects=list(spec.filter_subjects),
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=spec.ack_wait_s,
        max_deliver=spec.max_deliver,
        backoff=list(spec.backoff_s) or None,
        max_ack_pending=spec.max_ack_pending,
        num_replicas=replicas,
    )


async def declare_consumer(
    js: JetStreamContext, spec: names.ConsumerSpec, stream: str = names.EVENTS_STREAM, replicas: int = 1
) -> None:
    """Creates the durable, or updates it in place (the server keeps its position in the stream)."""
    try:
        await js.add_consumer(stream, consumer_config(spec, replicas))
    except BadRequestError as exc:  # a field the server cannot change in place
        log.warning("consumer %s keeps its old config: %s", spec.durable, exc.description)
