"""Stream, consumer and limit names shared by every service (data only, no I/O)."""

from dataclasses import dataclass
from typing import Literal

# One stream holds every task event: all services read from it, each through its own durable
# consumers, and the read model (intake) replays it. Limits retention keeps a message after one
# consumer acks it, so other services and the dead-letter copier can still read it by sequence.
EVENTS_STREAM = "AUTOAPPLY_EVENTS"
# Dead letters: the original message, subject and headers, plus the reason, kept for replay.
DEAD_LETTER_STREAM = "AUTOAPPLY_DLQ"
DEAD_LETTER_SUBJECT_PREFIX = "deadletter"
# The server's consumer advisories, captured so that no dead letter is lost while a service is down.
ADVISORY_STREAM = "AUTOAPPLY_ADVISORIES"
ADVISORY_SUBJECTS = (
    "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + EVENTS_STREAM + ".*",
    "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED." + EVENTS_STREAM + ".*",
)

# How many deliveries of each message were naked because a dependency was down: those do not
# count toward a consumer's max_deliver (one message per consumer and stream sequence, the last wins).
OUTAGE_STREAM = "AUTOAPPLY_OUTAGES"
OUTAGE_SUBJECT_PREFIX = "outages"
# The server's max_deliver is the spec's plus this many outage deliveries: the bus keeps the real
# failure budget; the server's limit only catches a message whose handler kills its process.
OUTAGE_DELIVERIES = 100

# Re-publishes of one event (outbox relay retries, a cluster failover of about 10 s) land inside
# this window and are stored once; it must exceed the relay's retry horizon.
DUPLICATE_WINDOW_S = 600.0
# Events are kept long enough to rebuild a read model and to inspect a week of history.
EVENTS_MAX_AGE_S = 14 * 24 * 3600.0
# Dead letters wait for an operator for a month.
DEAD_LETTER_MAX_AGE_S = 30 * 24 * 3600.0


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer on the events stream."""

    durable: str
    filter_subjects: tuple[str, ...]
    # How long the server waits for an ack or a heartbeat before redelivering; the bus sends
    # heartbeats every third of it while a handler runs.
    ack_wait_s: float = 30.0
    # Deliveries that failed for real (not because a dependency was down) before the dead letters.
    max_deliver: int = 5
    # Nak delays after the 1st, 2nd, ... failed delivery (the last entry repeats); the server
    # gets no backoff list, since it would replace ack_wait.
    backoff_s: tuple[float, ...] = (1.0, 5.0, 15.0, 45.0)
    # The most messages in flight on this durable across all instances; the service lowers it to
    # instances x workers, so it only ever caps that (the read model keeps 1 for order).
    max_ack_pending: int = 64
    # A handler still running after this long is cancelled and its message naked (a failure).
    max_run_s: float = 300.0
    # A new durable starts from new messages ("new"), so renaming one never redoes two weeks of
    # side effects; a read model that rebuilds from history asks for "all".
    start_from: Literal["new", "all"] = "new"
    # A wildcard consumer (the read model) acks and counts event types it does not know, so a
    # producer one version ahead sends nothing to the dead letters.
    skip_unknown_types: bool = False
    # Messages one fetch takes. Above 1, a consumer with a batch handler applies a fetch's first
    # deliveries together (one transaction) and the rest one by one; max_ack_pending is then
    # instances x workers x fetch_batch (capped by the spec), so a whole batch can be in flight.
    fetch_batch: int = 1
