"""One durable pull consumer, fetched by the bus itself: a task per worker, each on its own pull
subscription, so the bus sees raw messages (no framework decodes a body or decides an ack), stops
fetching while its service is unhealthy, and knows when each worker last made progress."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.streams import ConsumerSpec
from runtime import periodic

log = logging.getLogger(__name__)

# A pull waits this long for messages before asking again (and proving the worker alive). A
# message reaches a waiting pull at once, so this only sets how often an idle worker asks: at 1 s,
# the soak's idle workers (the provisioner alone runs 64 per queued consumer) made about 600 pull
# requests a second, and the three-node cluster spent more CPU on them than on anything else.
FETCH_TIMEOUT_S = 5.0
# While the service is unhealthy, a worker looks again this often whether it may fetch.
PAUSE_POLL_S = 0.2
# After a failed fetch (server gone, reconnecting), a worker waits this long before the next.
FETCH_ERROR_PAUSE_S = 1.0
# A worker that has not finished a fetch for this long, or a handler this long past its
# max_run_s, means the consumer has stalled and the service is unhealthy.
STALL_AFTER_S = 30.0

Process = Callable[[Msg], Awaitable[None]]


@dataclass
class Worker:
    alive_at: float = field(default_factory=time.monotonic)
    busy_since: float | None = None
    task: "asyncio.Task[None] | None" = None


class PullConsumer:
    def __init__(self, spec: ConsumerSpec, stream: str, process: Process, workers: int) -> None:
        self.spec, self.stream, self._process = spec, stream, process
        self.workers = [Worker() for _ in range(max(1, workers))]
        self._stopping = asyncio.Event()
        self._may_fetch = asyncio.Event()
        self._may_fetch.set()
        self._subs: list[JetStreamContext.PullSubscription] = []

    async def start(self, js: JetStreamContext) -> None:
        for worker in self.workers:
            sub = await js.pull_subscribe_bind(durable=self.spec.durable, stream=self.stream)
            self._subs.append(sub)
            worker.task = asyncio.create_task(self._loop(worker, sub), name=f"consume {self.spec.durable}")

    def pause(self, paused: bool) -> None:
        if paused:
            self._may_fetch.clear()
        else:
            self._may_fetch.set()

    def stalled(self, stall_after_s: float | None = None) -> bool:
        stall_after_s = STALL_AFTER_S if stall_after_s is None else stall_after_s
        now = time.monotonic()
        for worker in self.workers:
            if worker.task is None or worker.task.done():
                return True
            if worker.busy_since is not None:
                if now - worker.busy_since > self.spec.max_run_s + stall_after_s:
                    return True
            elif now - worker.alive_at > stall_after_s:
                return True
        return False

    async def _loop(self, worker: Worker, sub: JetStreamContext.PullSubscription) -> None:
        while not self._stopping.is_set():
            worker.alive_at = time.monotonic()
            if not self._may_fetch.is_set():
                await asyncio.sleep(PAUSE_POLL_S)
                continue
            for msg in await self._fetch(sub):
                worker.busy_since = time.monotonic()
                try:
                    await self._process(msg)
                finally:
                    worker.busy_since = None

    async def _fetch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        try:
            return await sub.fetch(1, timeout=FETCH_TIMEOUT_S)
        except TimeoutError:  # nothing to do (nats' timeouts are TimeoutErrors too)
            return []
        except Exception as exc:  # disconnected or reconnecting: the client reconnects by itself
            log.debug("%s: fetch failed: %r", self.spec.durable, exc)
            await asyncio.sleep(FETCH_ERROR_PAUSE_S)
            return []

    async def stop(self, grace_s: float) -> None:
        """Stops fetching; running handlers get grace_s to finish, then are cancelled (and nak)."""
        self._stopping.set()
        self._may_fetch.set()
        tasks = [w.task for w in self.workers if w.task is not None]
        # A worker waiting in a pull holds no message: it stops now, not when its pull expires. A
        # message the server hands to that pull as it goes is not acked and comes back after the
        # ack wait, to this consumer's next fetch anywhere.
        for worker in self.workers:
            if worker.task is not None and worker.busy_since is None:
                worker.task.cancel()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace_s + FETCH_TIMEOUT_S)
            await periodic.cancel(late)  # a cancel lost in a client's wait_for is repeated
        for sub in self._subs:  # else closing the connection waits for them to drain
            with suppress(Exception):
                await sub.unsubscribe()
