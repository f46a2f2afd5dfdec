"""docs/asyncapi.yaml is the document generated from contracts/, and it names every event."""

from pathlib import Path

import pytest
import yaml

from contracts.registry import EVENT_TYPES
from contracts.subjects import subject_for
from runtime import asyncapi
from tests.support import queued_event

pytestmark = pytest.mark.unit
DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"


def test_the_committed_document_is_the_generated_one() -> None:
    assert DOC.read_text() == asyncapi.document_yaml(), "docs/asyncapi.yaml is stale: run `autoapply asyncapi`"


def test_every_event_has_a_channel_a_message_and_a_payload_schema() -> None:
    doc = yaml.safe_load(DOC.read_text())
    assert doc["asyncapi"] == "3.0.0"
    assert {c["title"] for c in doc["channels"].values()} == set(EVENT_TYPES)
    for event_type, model in EVENT_TYPES.items():
        channel = doc["channels"][asyncapi.channel_id(event_type)]
        message = doc["components"]["messages"][model.__name__]
        schema = doc["components"]["schemas"][model.__name__]
        assert channel["messages"][model.__name__]["$ref"] == f"#/components/messages/{model.__name__}"
        assert message["payload"]["$ref"] == f"#/components/schemas/{model.__name__}"
        assert set(model.model_fields) == set(schema["properties"])
        assert set(_params(channel["address"])) == set(channel["parameters"])


def test_every_reference_resolves() -> None:
    doc = yaml.safe_load(DOC.read_text())
    for ref in _refs(doc):
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]  # a KeyError names the broken reference


def test_an_address_matches_the_subject_the_bus_uses() -> None:
    event = queued_event()
    address = asyncapi.address(type(event))
    filled = address.replace("{priority}", event.priority.value).replace("{task_id}", str(event.task_id))
    assert filled == subject_for(event)


def _params(address: str) -> list[str]:
    return [part[1:-1] for part in address.split(".") if part.startswith("{")]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
