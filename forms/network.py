"""Waiting on a page's own requests: a resume parser answers by fetch, and its answer overwrites
fields, so the filler waits for that answer instead of a fixed pause."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright.async_api import Page, Request

# Script requests only: a page's images, fonts and analytics pings never write into the form.
SCRIPTED = frozenset({"fetch", "xhr"})
# A script's request starts within this long of the change that caused it.
START_S = 0.06
T = TypeVar("T")


async def answered(page: Page, action: Callable[[], Awaitable[T]], at_most_s: float) -> T:
    """Run `action`, then wait until the script requests it started have been answered (at most
    `at_most_s`; a page that asks nothing is not waited on past START_S)."""
    pending: set[Request] = set()
    idle = asyncio.Event()
    idle.set()

    def started(request: Request) -> None:
        if request.resource_type in SCRIPTED:
            pending.add(request)
            idle.clear()

    def ended(request: Request) -> None:
        pending.discard(request)
        if not pending:
            idle.set()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    try:
        result = await action()
        await asyncio.sleep(START_S)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(idle.wait(), max(at_most_s - START_S, 0.0))
        return result
    finally:
        page.remove_listener("request", started)
        page.remove_listener("requestfinished", ended)
        page.remove_listener("requestfailed", ended)
