"""The envelope every event carries."""

from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

# Bumped when a field of an event changes meaning; fields are only ever added.
SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every event: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The event's name, e.g. "task.queued"; also the start of its subject.
    TYPE: ClassVar[str] = ""

    event_id: UUID = Field(default_factory=uuid4)  # also the Nats-Msg-Id
    task_id: UUID
    user_id: UUID
    occurred_at: datetime = Field(default_factory=utcnow)
    causation_id: UUID | None = None  # the event_id of the event that caused this one
    schema_version: int = SCHEMA_VERSION
