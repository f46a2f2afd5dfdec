"""Events to messages and back. Producers are strict (contracts forbid unknown fields); consumers
ignore the fields they do not know, so a producer one version ahead is still understood."""

import json
from typing import Any

from pydantic import ValidationError

from contracts.envelope import Event
from contracts.registry import EVENT_TYPES
from contracts.subjects import event_type_of, subject_for
from runtime.errors import PermanentError

# The server keeps a reason up to this length with a terminated message.
MAX_REASON_CHARS = 300
EVENT_TYPE_HEADER = "Autoapply-Event-Type"


def encode(event: Event) -> tuple[str, bytes, dict[str, str]]:
    headers = {"Nats-Msg-Id": str(event.event_id), EVENT_TYPE_HEADER: event.TYPE}
    return subject_for(event), event.model_dump_json().encode(), headers


def model_for(subject: str) -> type[Event] | None:
    return EVENT_TYPES.get(event_type_of(subject))


def decode(subject: str, data: bytes) -> Event:
    model = model_for(subject)
    if model is None:
        raise PermanentError(f"no event type for subject {subject}")
    try:
        return _validate(model, data)
    except ValidationError as exc:
        raise PermanentError(one_line(f"invalid {model.TYPE} event: {_problems(exc)}")) from None


def _validate(model: type[Event], data: bytes) -> Event:
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        unknown = [err["loc"] for err in exc.errors() if err["type"] == "extra_forbidden"]
        if not unknown:
            raise
        payload = json.loads(data)  # valid JSON: pydantic found fields in it
        for loc in unknown:
            _drop(payload, loc)
        return model.model_validate_json(json.dumps(payload))


def _drop(payload: Any, loc: tuple[int | str, ...]) -> None:
    """Removes the value at loc; a path it cannot follow stays (validation then says why)."""
    try:
        for part in loc[:-1]:
            payload = payload[part]
        del payload[loc[-1]]
    except (KeyError, IndexError, TypeError):
        pass


def _problems(exc: ValidationError) -> str:
    # Field names and rules only: the values may be personal data, and reasons reach the logs.
    return "; ".join(
        f"{'.'.join(map(str, err['loc'])) or 'payload'}: {err['msg']}"
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    )


def one_line(text: str) -> str:
    return " ".join(text.split())[:MAX_REASON_CHARS]
