"""The API's refusals: every one is a JSON body that says why, with a stable code."""

from typing import Any

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
