"""One durable pull consumer, fetched by the bus itself: a task per worker, so the bus sees raw
messages (no framework decodes a body or decides an ack), stops fetching while its service is
unhealthy, and knows when a pull or a handler stopped making progress.

The workers share one pull subscription, and one idle worker at a time waits in a pull: it hands
the turn on as soon as its message arrives, so the next idle worker pulls while it handles. An
idle consumer therefore asks the server once per FETCH_TIMEOUT_S, however many workers it has:
with a pull per worker, the soak's idle provisioner alone (64 workers on each queued consumer)
asked about 50 times a second per instance, and the three-node cluster spent more CPU answering
idle pulls than on anything else."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.streams import ConsumerSpec
from runtime import periodic

log = logging.getLogger(__name__)

# A pull waits this long for messages before asking again. A message reaches a waiting pull at
# once, so this only sets how often an idle consumer asks, and how long a pull the server forgot
# (its node restarted, the consumer's leader moved) keeps a consumer from asking again.
FETCH_TIMEOUT_S = 5.0
# After a failed fetch (server gone, reconnecting), a worker waits this long before the next.
FETCH_ERROR_PAUSE_S = 1.0
# A worker that has not finished a fetch for this long, or a handler this long past its
# max_run_s, means the consumer has stalled and the service is unhealthy.
STALL_AFTER_S = 30.0

# Handles what one fetch brought (one message, or up to the spec's fetch_batch), in order.
Process = Callable[[list[Msg]], Awaitable[None]]


@dataclass
class Worker:
    busy_since: float | None = None
    task: "asyncio.Task[None] | None" = None


class PullConsumer:
    def __init__(self, spec: ConsumerSpec, stream: str, process: Process, workers: int) -> None:
        self.spec, self.stream, self._process = spec, stream, process
        self.workers = [Worker() for _ in range(max(1, workers))]
        self._stopping = asyncio.Event()
        self._may_fetch = asyncio.Event()
        self._may_fetch.set()
        self._turn = asyncio.Lock()  # held by the one worker waiting in a pull
        self._pull_began: float | None = None  # when the pull in flight was asked for
        self._subs: list[JetStreamContext.PullSubscription] = []

    async def start(self, js: JetStreamContext) -> None:
        sub = await js.pull_subscribe_bind(durable=self.spec.durable, stream=self.stream)
        self._subs.append(sub)
        for worker in self.workers:
            worker.task = asyncio.create_task(self._loop(worker, sub), name=f"consume {self.spec.durable}")

    def pause(self, paused: bool) -> None:
        if paused:
            self._may_fetch.clear()
        else:
            self._may_fetch.set()

    def stalled(self, stall_after_s: float | None = None) -> bool:
        stall_after_s = STALL_AFTER_S if stall_after_s is None else stall_after_s
        now = time.monotonic()
        if self._pull_began is not None and now - self._pull_began > stall_after_s:
            return True  # a pull that never returns: no idle worker gets a message again
        for worker in self.workers:
            if worker.task is None or worker.task.done():
                return True
            if worker.busy_since is not None and now - worker.busy_since > self.spec.max_run_s + stall_after_s:
                return True
        return False

    async def _loop(self, worker: Worker, sub: JetStreamContext.PullSubscription) -> None:
        while not self._stopping.is_set():
            await self._may_fetch.wait()
            async with self._turn:
                if self._stopping.is_set() or not self._may_fetch.is_set():
                    continue
                self._pull_began = time.monotonic()
                try:
                    msgs = await self._fetch(sub)
                finally:
                    self._pull_began = None
            if not msgs:
                continue
            worker.busy_since = time.monotonic()
            try:
                await self._process(msgs)
            finally:
                worker.busy_since = None

    async def _fetch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        try:
            return await sub.fetch(max(1, self.spec.fetch_batch), timeout=FETCH_TIMEOUT_S)
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
