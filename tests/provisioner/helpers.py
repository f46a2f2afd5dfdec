"""Running provisioner instances and the fake AdsPower as processes, and watching the events they send."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import nats

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from tests.processes import Child, service_env

API_KEY = "test-key-0123456789"  # the fake AdsPower's Bearer key


def start_provisioner(
    nats_server: NatsServer, dsn: str, redis_url: str, tmp_path: Path, instance: int = 1, **extra: str
) -> Child:
    env = service_env("provisioner", nats_server.url, dsn, redis_url, tmp_path, instance)
    # Shared by every instance of one test: the same browsers folder and the same secret key.
    env |= {"AUTOAPPLY_DATA_DIR": str(tmp_path / "files"), "AUTOAPPLY_SECRET_KEY": "k" * 64}
    env |= {
        "AUTOAPPLY_SPACING_MIN_S": "0",
        "AUTOAPPLY_SPACING_MAX_S": "0",
        "AUTOAPPLY_LOCK_TTL_S": "3",
        "AUTOAPPLY_SLOT_WAIT_S": "0.5",
        "AUTOAPPLY_RETRY_DELAYS_S": "[0.3, 0.3, 0.3]",
        "AUTOAPPLY_PROXY_CHECK_TIMEOUT_S": "3",
        # A browser stops with its last task, as these tests check; test_linger.py turns lingering on.
        "AUTOAPPLY_BROWSER_LINGER_S": "0",
    }
    env |= {f"AUTOAPPLY_{k.upper()}": v for k, v in extra.items()}
    return Child("services.provisioner", env, tmp_path / f"provisioner-{instance}.log")


def start_fake(tmp_path: Path, *args: str, min_interval_s: float = 0.0) -> tuple[Child, str]:
    port = free_port()
    env = {"AUTOAPPLY_FAKE_API_KEY": API_KEY, "AUTOAPPLY_FAKE_MIN_INTERVAL_S": str(min_interval_s)}
    name = f"adspower-{port}"
    child = Child(
        "tests.provisioner.fake_adspower", env, tmp_path / f"{name}.log", args=[str(port), str(tmp_path / name), *args]
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/status", timeout=1).status_code == 200:
                return child, url
        except httpx.HTTPError:
            time.sleep(0.05)
    child.stop()
    raise AssertionError(f"the fake AdsPower did not answer:\n{child.tail()}")


class Events:
    """Every event on the bus, by task, as (type, payload) in arrival order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []
        self._nc: Any = None

    async def start(self, url: str) -> "Events":
        self._nc = await nats.connect(url)
        for family in ("task", "profile", "application", "human"):
            await self._nc.subscribe(f"{family}.>", cb=self._on)
        return self

    async def _on(self, msg: Any) -> None:
        data = json.loads(msg.data)
        self.seen.append((data["type"], data))

    def of(self, task_id: object, kind: str | None = None) -> list[dict[str, Any]]:
        return [d for t, d in self.seen if d["task_id"] == str(task_id) and (kind is None or t == kind)]

    def types(self, task_id: object) -> list[str]:
        return [t for t, d in self.seen if d["task_id"] == str(task_id)]

    async def wait_for(self, task_id: object, kind: str, timeout_s: float = 30.0, count: int = 1) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.of(task_id, kind)
            if len(found) >= count:
                return found[count - 1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind} for {task_id} within {timeout_s} s; saw {self.types(task_id)}")

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.close()
