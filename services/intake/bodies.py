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
    return validate(model, data)


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
