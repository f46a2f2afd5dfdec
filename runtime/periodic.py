"""Work repeated every few seconds beside a longer step (a lease renewed while a browser starts, a
heartbeat while a handler runs), stopped by a flag as well as by cancel().

On Python 3.11, asyncio.wait_for, which redis-py and nats-py use inside their calls, can lose a
cancellation that arrives just as its inner call finishes (CPython gh-86296). A loop stopped only
by cancel() then runs on for ever, and whoever awaits its end waits for ever: a provisioner handler
hung five minutes that way after its browser had started, renewing its slot all along.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

# How long the end of the step waits for the loop to see its flag (one beat in flight at most).
STOP_WAIT_S = 5.0
# A task still running this long after its cancel is cancelled again (its own clean-up had time).
RECANCEL_S = 2.0


@asynccontextmanager
async def alongside(every_s: float, beat: Callable[[], Awaitable[None]], name: str = "beat") -> AsyncIterator[None]:
    """Runs `beat` every `every_s` seconds while the block runs; it ends when the block does."""
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            await asyncio.sleep(every_s)
            if stop.is_set():
                return
            await beat()

    task = asyncio.create_task(loop(), name=name)
    try:
        yield
    finally:
        stop.set()
        await cancel([task])


async def rounds(every_s: float, work: Callable[[], Awaitable[Any]], what: str) -> None:
    """Runs `work` every `every_s` seconds until cancelled (a service's poller or reaper). A round
    that fails is logged and the next one runs: a database or Redis away, or a connection a restart
    left broken (asyncpg's InternalClientError after a PostgreSQL restart, seen in the soak), must
    not end the loop, or the service stays unhealthy and nothing it polls for happens again."""
    while True:
        try:
            await work()
        except Exception as exc:
            log.warning("%s failed this round, will retry: %r", what, exc)
        await asyncio.sleep(every_s)


async def cancel(tasks: Iterable["asyncio.Task[Any]"], within_s: float = STOP_WAIT_S) -> None:
    """Cancels the tasks and waits for their end, cancelling again any that runs on (a lost cancel,
    above), for at most `within_s`. Their errors are logged, not raised."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    tasks = list(tasks)
    pending = {t for t in tasks if not t.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_S, max(0.0, deadline - loop.time())))
        if pending and loop.time() >= deadline:
            log.warning("%s did not stop within %.0f s", ", ".join(t.get_name() for t in pending), within_s)
            break
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("%s failed: %r", task.get_name(), task.exception())
