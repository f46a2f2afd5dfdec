"""Waiting on a page's own requests: a resume parser answers by fetch, and its answer overwrites
fields; a typeahead asks the server for its suggestions. The filler waits for those answers
instead of a fixed pause."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from playwright.async_api import Page, Request

# Script requests only: a page's images, fonts and analytics pings never write into the form.
SCRIPTED = frozenset({"fetch", "xhr"})
# A script's request starts within this long of the change that caused it.
START_S = 0.06
T = TypeVar("T")


class Watch:
    """The script requests a page started while watched, and whether they have all been answered."""

    def __init__(self) -> None:
        self.started = 0
        self.pending: set[Request] = set()
        self.idle = asyncio.Event()
        self.idle.set()

    def begin(self, request: Request) -> None:
        if request.resource_type in SCRIPTED:
            self.started += 1
            self.pending.add(request)
            self.idle.clear()

    def end(self, request: Request) -> None:
        self.pending.discard(request)
        if not self.pending:
            self.idle.set()

    async def answered(self, at_most_s: float) -> bool:
        """Wait until every request started so far is answered (at most `at_most_s`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), max(at_most_s, 0.0))
        return self.idle.is_set()


@contextlib.contextmanager
def watching(page: Page) -> Iterator[Watch]:
    watch = Watch()
    page.on("request", watch.begin)
    page.on("requestfinished", watch.end)
    page.on("requestfailed", watch.end)
    try:
        yield watch
    finally:
        page.remove_listener("request", watch.begin)
        page.remove_listener("requestfinished", watch.end)
        page.remove_listener("requestfailed", watch.end)


async def answered(page: Page, action: Callable[[], Awaitable[T]], at_most_s: float) -> T:
    """Run `action`, then wait until the script requests it started have been answered (at most
    `at_most_s`; a page that asks nothing is not waited on past START_S)."""
    with watching(page) as watch:
        result = await action()
        await asyncio.sleep(START_S)
        await watch.answered(at_most_s - START_S)
        return result
