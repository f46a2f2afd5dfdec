"""An outage is not poison: errors that mean a dependency is down, and how many deliveries they cost.

The server counts every delivery. The bus keeps the "real failures" budget itself: it notes, per
consumer and message, how many deliveries it naked because PostgreSQL, Redis or NATS was down,
and a message's real failures are its deliveries minus those (a handler that died or hung still
counts). The note is one small message per (consumer, stream sequence) in the outages stream.
"""

import logging

import asyncpg
import nats.errors
import redis.exceptions
from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError, NotFoundError, ServiceUnavailableError

from contracts.streams import OUTAGE_STREAM, OUTAGE_SUBJECT_PREFIX
from runtime.errors import DependencyDown

log = logging.getLogger(__name__)

# How long an outage nak waits: long enough not to spin while the service pauses itself.
OUTAGE_NAK_DELAY_S = 5.0
# How far the cause chain is followed (asyncpg and redis wrap OSError several times).
_CHAIN_DEPTH = 8

_DOWN: tuple[type[BaseException], ...] = (
    DependencyDown,
    ConnectionError,  # refused, reset, aborted: any client's socket
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,  # the database system is starting up / shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoRespondersError,
    NoStreamResponseError,
    ServiceUnavailableError,
    TimeoutError,  # a pool acquire, a socket or a request that got no answer
)


def is_outage(exc: BaseException) -> bool:
    """True when the error, or what caused it, says a dependency is unreachable."""
    seen: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if seen is None:
            return False
        if isinstance(seen, _DOWN) or (isinstance(seen, OSError) and seen.errno is not None):
            return True
        if isinstance(seen, asyncpg.InterfaceError) and "clos" in str(seen):  # "connection is closed"
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _subject(consumer: str, stream_seq: int) -> str:
    return f"{OUTAGE_SUBJECT_PREFIX}.{consumer}.{stream_seq}"


async def outages_of(js: JetStreamContext, consumer: str, stream_seq: int) -> int:
    try:
        last = await js.get_last_msg(OUTAGE_STREAM, _subject(consumer, stream_seq))
    except NotFoundError:
        return 0
    return int(last.data or b"0")


async def note_outage(js: JetStreamContext, consumer: str, stream_seq: int, num_delivered: int) -> None:
    """Notes that this delivery is not a failure; if NATS is down too, the delivery counts (logged)."""
    subject = _subject(consumer, stream_seq)
    try:
        count = await outages_of(js, consumer, stream_seq) + 1
        await js.publish(subject, str(count).encode(), headers={"Nats-Msg-Id": f"{subject}.{num_delivered}"})
    except (TimeoutError, nats.errors.Error) as exc:
        log.warning("%s: could not note an outage delivery of seq %s: %r", consumer, stream_seq, exc)
