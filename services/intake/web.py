"""Small glue between Starlette and the service: endpoints bound to it, its settings, JSON."""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from runtime.service import Service
from services.intake.settings import IntakeSettings

Endpoint = Callable[[Service, Request], Awaitable[Response]]


def route(svc: Service, path: str, fn: Endpoint, method: str) -> Route:
    async def run(request: Request) -> Response:
        return await fn(svc, request)

    run.__name__ = fn.__name__
    return Route(path, run, methods=[method], name=fn.__name__)


def settings(svc: Service) -> IntakeSettings:
    assert isinstance(svc.settings, IntakeSettings)
    return svc.settings


def json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)
