"""Helpers shared by the integration and chaos tests."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from contracts.streams import ConsumerSpec
from contracts.tasks import TaskQueued


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def queued_event(**extra: Any) -> TaskQueued:
    fields: dict[str, Any] = {
        "task_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "job_url": "https://jobs.example.com/42",
        "platform": "generic",
        "job_key": "generic:jobs.example.com/42",
        "resume_id": "resume-1",
    }
    return TaskQueued(**{**fields, **extra})


def queued_spec(durable: str | None = None, **extra: Any) -> ConsumerSpec:
    return ConsumerSpec(durable=durable or unique("test"), filter_subjects=("task.queued.>",), **extra)


async def eventually(
    check: Callable[[], Awaitable[bool] | bool], timeout_s: float = 10.0, every_s: float = 0.05
) -> None:
    """Waits until check() is true; fails with the time it waited."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(every_s)
