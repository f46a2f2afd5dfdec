"""A dependency that is down or saturated is a 503 with Retry-After; a bug is still a 500."""

import asyncpg
import httpx
import pytest
import redis.exceptions
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.intake import errors

pytestmark = pytest.mark.unit


def _app(exc: Exception) -> Starlette:
    async def fail(request: Request) -> Response:
        raise exc

    return Starlette(routes=[Route("/x", fail)], exception_handlers=errors.handlers())


@pytest.mark.parametrize(
    "exc",
    [
        TimeoutError(),  # no free pool connection within the pool's bound
        ConnectionRefusedError(),  # PostgreSQL restarting
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        redis.exceptions.ConnectionError("Connection refused"),
    ],
    ids=type,
)
async def test_an_unavailable_dependency_is_a_503_that_says_when_to_retry(exc: Exception) -> None:
    transport = httpx.ASGITransport(app=_app(exc))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        answer = await client.get("/x")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(errors.UNAVAILABLE_RETRY_AFTER_S)
    assert answer.json()["error"] == "unavailable"


async def test_a_bug_is_not_hidden_as_unavailable() -> None:
    transport = httpx.ASGITransport(app=_app(ZeroDivisionError()), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        answer = await client.get("/x")
    assert answer.status_code == 500
