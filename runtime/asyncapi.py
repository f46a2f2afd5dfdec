"""The AsyncAPI 3.0 document of every event: one channel per event type (its subject pattern),
one message per channel with the headers the bus sets, and the payload schemas from contracts/.

Generated here rather than by FastStream: FastStream documents its own subscribers and
publishers, and the bus fetches its consumers itself (see runtime/bus.py), so FastStream sees
none of them. Every service can serve it (intake does, at /asyncapi.yaml).
"""

import functools
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from contracts.envelope import SCHEMA_VERSION, Event
from contracts.registry import EVENT_TYPES
from contracts.states import Priority
from contracts.streams import EVENTS_STREAM
from contracts.tasks import TaskQueued
from runtime.codec import EVENT_TYPE_HEADER

ASYNCAPI_VERSION = "3.0.0"
_SCHEMAS = "#/components/schemas/{model}"
_ID_PARAMETER = {"description": "the task's id (a UUID); for account events, the user's id"}


def channel_id(event_type: str) -> str:
    return event_type.replace(".", "_")  # channel ids may not contain dots


def _account(model: type[Event]) -> bool:
    """Account events (`user.*`) are keyed by the user's id, not a task's."""
    return model.TYPE.startswith("user.")


def address(model: type[Event]) -> str:
    if model is TaskQueued:
        return f"{model.TYPE}.{{priority}}.{{task_id}}"
    return f"{model.TYPE}.{{user_id}}" if _account(model) else f"{model.TYPE}.{{task_id}}"


def _parameters(model: type[Event]) -> dict[str, Any]:
    if model is TaskQueued:
        priorities = [p.value for p in Priority]
        return {"priority": {"enum": priorities, "description": "routable priority"}, "task_id": _ID_PARAMETER}
    return {"user_id": _ID_PARAMETER} if _account(model) else {"task_id": _ID_PARAMETER}


HEADERS = {
    "type": "object",
    "required": ["Nats-Msg-Id", EVENT_TYPE_HEADER],
    "properties": {
        "Nats-Msg-Id": {"type": "string", "description": "the event_id: a re-publish is stored once"},
        EVENT_TYPE_HEADER: {"type": "string", "description": "the event's type, as in its subject"},
        "traceparent": {"type": "string", "description": "W3C trace context: one trace per task"},
        "tracestate": {"type": "string"},
    },
}


def _message(model: type[Event]) -> dict[str, Any]:
    return {
        "name": model.__name__,
        "title": model.TYPE,
        "summary": " ".join((model.__doc__ or model.TYPE).split()),
        "contentType": "application/json",
        "headers": HEADERS,
        "payload": {"$ref": _SCHEMAS.format(model=model.__name__)},
    }


def _channel(model: type[Event]) -> dict[str, Any]:
    name = model.__name__
    return {
        "address": address(model),
        "title": model.TYPE,
        "description": f"Stored in the {EVENTS_STREAM} stream.",
        "parameters": _parameters(model),
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
    }


def _schemas(models: list[type[Event]]) -> dict[str, Any]:
    _, found = models_json_schema([(m, "serialization") for m in models], ref_template=_SCHEMAS)
    return dict(sorted(found.get("$defs", {}).items()))


def document() -> dict[str, Any]:
    models = [EVENT_TYPES[name] for name in sorted(EVENT_TYPES)]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Autoapply events",
            "version": str(SCHEMA_VERSION),
            "description": "Every event the five services trade over NATS JetStream. Subjects end with the "
            "task id, so `*.*.<id>` and `*.*.*.<id>` follow one task. Generated from contracts/.",
        },
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "the embedded stack"}},
        "channels": {channel_id(m.TYPE): _channel(m) for m in models},
        "components": {"messages": {m.__name__: _message(m) for m in models}, "schemas": _schemas(models)},
    }


class _Plain(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no types
    """Writes a repeated part out again instead of as an anchor: the file is for people to read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@functools.cache  # made on first request, not at start: a service starts no slower for it
def document_yaml() -> str:
    return str(yaml.dump(document(), Dumper=_Plain, sort_keys=False, allow_unicode=True, width=100))
