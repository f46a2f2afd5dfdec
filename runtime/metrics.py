"""Prometheus metrics of a service, served on its health port at /metrics.

The runtime fills the bus's own (events handled per consumer and outcome, handler seconds,
queue depth per consumer); the rest are declared here so that every service counts them the
same way: applications per platform and outcome and seconds per state (intake's read model sees
every event), LLM tokens (where a model is called), interventions waiting (takeover's queue).
Labels are bounded sets (consumers, event types, states, platforms, outcomes): never an id.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Consumer info is one request per durable: often enough for a dashboard or an autoscaler.
DEPTH_EVERY_S = 15.0
# Handlers run from milliseconds (the read model) to many minutes (a browser step).
HANDLER_BUCKETS = (0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 60, 300, 900)
# A task waits in a state from a second (NAVIGATING) to the human timeout and beyond.
STATE_BUCKETS = (0.1, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)

EVENTS_HANDLED = Counter(
    "autoapply_events_handled", "Messages a consumer answered, by outcome", ["consumer", "event_type", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "autoapply_handler_seconds", "Time from delivery to answer", ["consumer", "event_type"], buckets=HANDLER_BUCKETS
)
CONSUMER_PENDING = Gauge("autoapply_consumer_pending", "Messages not yet delivered to the consumer", ["consumer"])
CONSUMER_ACK_PENDING = Gauge("autoapply_consumer_ack_pending", "Messages delivered and not yet answered", ["consumer"])
APPLICATIONS = Counter("autoapply_applications", "Tasks that reached an outcome", ["platform", "outcome"])
STATE_SECONDS = Histogram(
    "autoapply_state_seconds", "Time a task spent in a state before leaving it", ["state"], buckets=STATE_BUCKETS
)
LLM_TOKENS = Counter("autoapply_llm_tokens", "Tokens sent to and received from a model", ["model", "direction"])
INTERVENTIONS_WAITING = Gauge("autoapply_interventions_waiting", "Interventions in the operators' queue")


def exposition() -> bytes:
    return generate_latest()


def handled(consumer: str, event_type: str, outcome: str, seconds: float) -> None:
    """outcome is ack, nak or term: what the server was told."""
    EVENTS_HANDLED.labels(consumer, event_type, outcome).inc()
    HANDLER_SECONDS.labels(consumer, event_type).observe(seconds)


def count_tokens(model: str, sent: int, received: int) -> None:
    LLM_TOKENS.labels(model, "input").inc(sent)
    LLM_TOKENS.labels(model, "output").inc(received)


Depth = Callable[[], Awaitable[list[tuple[str, int, int]]]]


async def refresh(depths: Depth, every_s: float = DEPTH_EVERY_S) -> None:
    """Sets the queue-depth gauges from (durable, pending, ack pending) every every_s seconds."""
    while True:
        try:
            for durable, pending, ack_pending in await depths():
                CONSUMER_PENDING.labels(durable).set(pending)
                CONSUMER_ACK_PENDING.labels(durable).set(ack_pending)
        except Exception as exc:  # the server is away: the gauges keep their last values
            log.debug("consumer depth not refreshed: %r", exc)
        await asyncio.sleep(every_s)


async def watch(gauge: Gauge, read: Callable[[], Awaitable[int]], every_s: float = DEPTH_EVERY_S) -> None:
    """Keeps a gauge at what read() says (e.g. the length of a queue in Redis)."""
    while True:
        try:
            with suppress_instrumentation():  # a poll, not work: no trace of its own
                gauge.set(await read())
        except Exception as exc:
            log.debug("%s not refreshed: %r", gauge, exc)
        await asyncio.sleep(every_s)
