"""One Playwright driver per process, started on first use: the services that reach a task's
browser over CDP (the executor, takeover's live view) share the pattern."""

import asyncio

from playwright.async_api import Playwright, async_playwright


class PlaywrightDriver:
    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Playwright:
        async with self._lock:
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            return self._playwright

    async def close(self) -> None:
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
