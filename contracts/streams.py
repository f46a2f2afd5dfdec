"""Stream, consumer and limit names shared by every service (data only, no I/O)."""

from dataclasses import dataclass

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
    # Sized to the step the handler runs; long steps extend it with in-progress heartbeats.
    ack_wait_s: float = 30.0
    # Finite, so a poison message ends in the dead letters rather than looping forever.
    max_deliver: int = 5
    # Delays between deliveries (used for nak delays and for ack timeouts); len <= max_deliver.
    backoff_s: tuple[float, ...] = (1.0, 5.0, 15.0, 45.0)
    # The consumer's real concurrency across all instances (the executor's = its browser slots).
    max_ack_pending: int = 64
