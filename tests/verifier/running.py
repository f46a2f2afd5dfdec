"""The verifier as a real process on real servers, and a watcher of what it publishes."""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts.envelope import Event
from contracts.subjects import FAMILIES
from runtime.bus import decode
from tests.processes import Child, service_env

# Test timings: a verification wait of 6 s looked at every 0.25 s, a proof wait of 4 s, almost
# no clock skew (a mail sent a second before the submit time already counts as older), short leases.
FAST = {
    "AUTOAPPLY_VERIFY_TIMEOUT_S": "6",
    "AUTOAPPLY_VERIFY_POLL_S": "0.25",
    "AUTOAPPLY_PROOF_TIMEOUT_S": "4",
    "AUTOAPPLY_CLOCK_SKEW_S": "0.5",
    "AUTOAPPLY_VERIFY_LEASE_S": "2",  # a crashed verifier's wait is taken over after 2 s
}


def start_verifier(nats_url: str, dsn: str, redis_url: str, tmp_path: Path, instance: int = 1) -> Child:
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = service_env("verifier", nats_url, dsn, redis_url, tmp_path, instance) | FAST
    child = Child("services.verifier", env, tmp_path / "verifier.log")
    url = f"http://127.0.0.1:{env['AUTOAPPLY_HEALTH_PORT']}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.proc.poll() is None, f"the verifier exited:\n{child.tail()}"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return child
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    child.stop()
    raise AssertionError(f"the verifier did not become healthy:\n{child.tail()}")


@dataclass
class Watcher:
    """Every event on the bus, decoded, with the time it was seen."""

    client: Client
    seen: list[tuple[float, Event]] = field(default_factory=list)

    @classmethod
    async def start(cls, url: str) -> "Watcher":
        watcher = cls(await nats.connect(url))
        for family in FAMILIES:
            await watcher.client.subscribe(f"{family}.>", cb=watcher._on)
        return watcher

    async def _on(self, msg: Msg) -> None:
        self.seen.append((time.monotonic(), decode(msg.subject, msg.data)))

    def of(self, task_id: UUID, event_type: str) -> list[Event]:
        return [e for _, e in self.seen if e.task_id == task_id and e.TYPE == event_type]

    async def wait_for(self, task_id: UUID, event_type: str, timeout_s: float = 15.0) -> tuple[float, Event]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = [(t, e) for t, e in self.seen if e.task_id == task_id and e.TYPE == event_type]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        seen = json.dumps([e.TYPE for _, e in self.seen if e.task_id == task_id])
        raise AssertionError(f"no {event_type} for the task within {timeout_s} s; it saw {seen}")

    async def until(self, check: Callable[[], bool], timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            assert time.monotonic() < deadline, "condition not met in time"
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.client.drain()
