"""Group calls: the calls that arrive while one batch is on its way go together in the next one.

A request that finds nothing in flight goes at once, alone: under no load nothing waits for a
timer or for company. While a batch is out (a round trip to PostgreSQL or Redis), the calls that
arrive queue up, and the moment it is back they leave together, up to `max_batch` of them. So a
batch's size follows the load by itself, and one round trip, one statement and one commit serve
all of them. Each caller gets its own outcome: `run` answers one result or one exception per item,
in the items' order; an exception `run` raises itself goes to every caller of that batch.
"""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    def __init__(self, run: Callable[[list[T]], Awaitable[Sequence[R | BaseException]]], max_batch: int = 64) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max = max_batch
        self._queue: list[tuple[T, asyncio.Future[R], contextvars.Context]] = []
        self._busy = False
        self._flights: set[asyncio.Task[None]] = set()
        self.batches = 0  # batches sent, for tests and metrics
        self.largest = 0

    async def __call__(self, item: T) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer, contextvars.copy_context()))
        if not self._busy:
            self._send()
        # A caller that gives up does not cancel the batch: the others still need its answer.
        return await answer

    def _send(self) -> None:
        batch, self._queue = self._queue[: self._max], self._queue[self._max :]
        self._busy = True
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        # The batch runs in its first caller's context: its spans are children of that request's.
        flight = asyncio.create_task(self._fly(batch), context=batch[0][2])
        self._flights.add(flight)
        flight.add_done_callback(self._flights.discard)

    async def _fly(self, batch: list[tuple[T, asyncio.Future[R], contextvars.Context]]) -> None:
        try:
            outcomes = await self._run([item for item, _, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} got {len(outcomes)} outcomes")
        except BaseException as exc:
            _fail([answer for _, answer, _ in batch], exc)
            if not isinstance(exc, Exception):
                raise
        else:
            for (_, answer, _), outcome in zip(batch, outcomes, strict=True):
                _settle(answer, outcome)
        finally:
            self._busy = False
            if self._queue:
                self._send()


def _fail(answers: list["asyncio.Future[R]"], exc: BaseException) -> None:
    for answer in answers:
        if answer.done():
            continue  # its caller gave up
        if isinstance(exc, asyncio.CancelledError):
            answer.cancel()
        else:
            answer.set_exception(exc)


def _settle(answer: "asyncio.Future[R]", outcome: R | BaseException) -> None:
    if answer.done():
        return  # its caller gave up
    if isinstance(outcome, BaseException):
        answer.set_exception(outcome)
    else:
        answer.set_result(outcome)
