"""The API's refusals: every one is a JSON body that says why, with a stable code."""

import logging
from typing import Any

import asyncpg
import redis.exceptions
from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """A refusal: HTTP status, a machine-readable code, a sentence for people, and details."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.details = details


def not_found(what: str) -> ApiError:
    # Another user's task is "not found" too: its existence is not theirs to learn.
    return ApiError(404, "not_found", f"no such {what}")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def body(error: ApiError) -> dict[str, Any]:
    return {"error": error.code, "message": error.message, **error.details}


async def handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(body(exc), status_code=exc.status, headers=exc.headers)


# A dependency that is down or saturated (no free database connection within the pool's bound,
# PostgreSQL or Redis refusing connections) is the server's temporary state, not the request's
# fault: 503 with Retry-After, so clients back off and retry instead of reporting a bug.
UNAVAILABLE_RETRY_AFTER_S = 2
UNAVAILABLE = (
    TimeoutError,
    ConnectionError,  # refused or reset: PostgreSQL or the object store restarting
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
_log = logging.getLogger("intake.errors")


async def handle_unavailable(request: Request, exc: Exception) -> JSONResponse:
    _log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    error = ApiError(
        503,
        "unavailable",
        "a dependency of the service is down or saturated: retry shortly",
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )
    return JSONResponse(body(error), status_code=error.status, headers=error.headers)


def handlers() -> dict[type[Exception], Any]:
    unavailable: dict[type[Exception], Any] = {cls: handle_unavailable for cls in UNAVAILABLE}
    return {ApiError: handle, **unavailable}
