"""What the executor's handlers share, and how one task's events leave: through the outbox, in the
transaction that records where the executor left the task."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from contracts.states import TaskState
from contracts.tasks import TaskProgress
from runtime import objects, outbox
from runtime.bus import Delivery
from runtime.sealing import Sealer
from runtime.service import Service
from services.executor import credentials, store, templates
from services.executor.browser import Driver
from services.executor.settings import ExecutorSettings
from services.executor.store import Task


class Executor:
    """Built before the service starts; the pool and bus are reached through svc once it runs."""

    def __init__(self, svc: Service, settings: ExecutorSettings) -> None:
        self.svc, self.settings = svc, settings
        self.driver = Driver()
        self.templates = templates.load_all()  # a bad template stops the executor at start
        self.objects: objects.ObjectStore = objects.LocalObjects(settings.data_dir)
        self.credentials: Sealer = credentials.sealer_for(settings)

    @property
    def db(self) -> asyncpg.Pool:
        return self.svc.pool


@dataclass
class Run:
    """One delivery's work on one task: its ids, the event that caused it, and its step counter."""

    x: Executor
    task: Task
    cause: Event
    delivery: Delivery
    state: TaskState = field(init=False)
    shots: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = self.task.state

    @cached_property
    def ids(self) -> dict[str, UUID]:
        return {"task_id": self.task.task_id, "user_id": self.task.user_id, "causation_id": self.cause.event_id}

    async def emit(self, event: Event, state: TaskState, waiting: str | None = None, finished: bool = False) -> None:
        async with self.x.db.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, self.x.svc.schema, event)
            await store.move(conn, self.task.task_id, state, waiting, finished)
        self.state = state
        await self.delivery.in_progress()  # a long application keeps its message

    async def progress(self, state: TaskState, **detail: Any) -> None:
        await self.emit(TaskProgress(**self.ids, state=state, **detail), state)
