"""Which errors mean a dependency is down (retried without counting), and which are real failures."""

import asyncpg
import nats.errors
import pytest
import redis.exceptions

from contracts.streams import ConsumerSpec
from runtime.errors import DependencyDown, TransientError
from runtime.outage import is_outage
from runtime.service import effective_spec

pytestmark = pytest.mark.unit


def _wrapped(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        OSError(113, "No route to host"),
        TimeoutError(),  # a pool acquire that waited too long
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.InterfaceError("connection is closed"),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        nats.errors.ConnectionClosedError(),
        nats.errors.NoRespondersError(),
        DependencyDown("publish failed"),
        _wrapped(RuntimeError("saving the task failed"), ConnectionResetError(104, "reset by peer")),
    ],
)
def test_errors_that_mean_a_dependency_is_down(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        KeyError("resume_id"),
        ValueError("no such option"),
        TransientError("the site answered 503"),
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        OSError("a file the handler wanted"),  # no errno: not a socket
    ],
)
def test_errors_that_are_real_failures(error: Exception) -> None:
    assert not is_outage(error)


def test_max_ack_pending_is_instances_times_workers_capped_by_the_spec() -> None:
    spec = ConsumerSpec(durable="executor-profile-ready", filter_subjects=("profile.ready.>",), max_ack_pending=64)
    assert effective_spec(spec, instances=3, workers=4).max_ack_pending == 12
    ordered = ConsumerSpec(durable="read-model", filter_subjects=("task.>",), max_ack_pending=1)
    assert effective_spec(ordered, instances=2, workers=4).max_ack_pending == 1
