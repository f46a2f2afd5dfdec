"""Request bodies: JSON parsed and checked against a pydantic model, errors naming the field."""

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from services.intake.errors import ApiError

M = TypeVar("M", bound=BaseModel)
# No request body the API takes is larger; uploads go through /resumes, which has its own limit.
MAX_JSON_BYTES = 1_000_000


async def parse(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"a JSON body is at most {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ApiError(422, "malformed_json", f"the body is not valid JSON{where}") from None
    check_text(data)
    return validate(model, data)


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. "\ud800" in the JSON
        return True
    return False


def _bad_paths(data: Any, path: str) -> list[str]:
    if isinstance(data, str):
        return [path or "body"] if _bad_text(data) else []
    if isinstance(data, dict):
        found = [f"{path}.{k}".lstrip(".") or "body" for k in data if isinstance(k, str) and _bad_text(k)]
        return found + [p for k, v in data.items() for p in _bad_paths(v, f"{path}.{k}".lstrip("."))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _bad_paths(v, f"{path}.{i}".lstrip("."))]
    return []


def check_text(data: Any) -> None:
    """Text the database cannot hold (NUL, lone surrogates) is a 422 naming the field, not a 500."""
    bad = _bad_paths(data, "")
    if bad:
        fields = [{"field": p, "problem": "contains a NUL character or invalid Unicode"} for p in bad]
        raise ApiError(422, "invalid_request", f"invalid fields: {', '.join(bad)}", fields=fields)


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


def invalid(exc: ValidationError) -> ApiError:
    """422 naming each field and rule, never the value (it may be personal data)."""
    fields = [
        {"field": ".".join(map(str, err["loc"])) or "body", "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    names = ", ".join(f["field"] for f in fields)
    return ApiError(422, "invalid_request", f"invalid fields: {names}", fields=fields)
