"""The soak: tasks over every sandbox platform on a three-node cluster with two instances of every
service, while the chaos loop kills and restarts; at the end one JSON line with the counts.

    ./dev soak                                   # 200 tasks, at most 18 minutes of waiting
    AUTOAPPLY_SOAK_TASKS=30 AUTOAPPLY_SOAK_MINUTES=5 ./dev soak    # a shorter run (CI)
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from autoapply.local import jsz, pgroot
from autoapply.local.services import SERVICES
from autoapply.stack import Stack
from tests.soak import load
from tests.soak.chaos import Chaos

TASKS = int(os.environ.get("AUTOAPPLY_SOAK_TASKS", "200"))
WAIT_S = float(os.environ.get("AUTOAPPLY_SOAK_MINUTES", "18")) * 60
SEED = int(os.environ.get("AUTOAPPLY_SOAK_SEED", "16"))
# Starting the stack and submitting come on top of the wait; the whole must end within 20 minutes.
pytestmark = [pytest.mark.soak, pytest.mark.timeout(int(WAIT_S) + 300)]


@pytest.fixture
def stack(tmp_path: Path) -> Any:
    home = tmp_path / "stack"
    stack = Stack(home)
    yield stack
    with stack.locked():
        stack.down()
    parts = stack.load_state().get("parts", {})
    if "postgres" in parts:
        pgroot.remove_data_dir(Path(parts["postgres"]["data_dir"]), home / "data" / "postgres" / "pgdata")


async def test_nothing_is_lost_or_applied_twice_under_chaos(stack: Stack) -> None:
    began = time.monotonic()
    with stack.locked():
        await asyncio.to_thread(stack.up, {s: 2 for s in SERVICES}, True, 3)
    parts = stack.load_state()["parts"]
    dsn, site = parts["postgres"]["url"], parts["sandbox"]["url"]
    async with httpx.AsyncClient(base_url=parts["intake-1"]["http_url"], timeout=30) as http:
        task_ids, sites = await load.submit(http, site, TASKS)
        chaos = Chaos(stack, SEED)
        stop = asyncio.Event()
        faults = asyncio.create_task(chaos.run(stop))
        found = await _wait_settled(dsn, task_ids, time.monotonic() + WAIT_S)
        stop.set()
        await faults
        found = await _wait_settled(dsn, task_ids, time.monotonic() + 60)  # after the last fault
        dupes = await load.duplicates(http, site)
    result = load.summary(task_ids, found, dupes, chaos.faults)
    result |= {
        "platforms": sorted(sites),
        "dead_letters": jsz.dead_letters(jsz.streams(parts["nats-1"]["monitor_url"])),
        "seconds": round(time.monotonic() - began),
    }
    print("\n".join(chaos.log))
    print(json.dumps(result, sort_keys=True))  # the soak's final line
    assert result["lost"] == 0 and result["duplicates"] == 0, result
    assert result["terminal"] + result["waiting_for_person"] == result["tasks"], result


async def _wait_settled(dsn: str, task_ids: list[str], deadline: float) -> dict[str, str]:
    found: dict[str, str] = {}
    while time.monotonic() < deadline:
        try:
            found = await load.states(dsn, task_ids)
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:  # PostgreSQL restarting under the chaos
            print(f"read model unavailable for a moment: {type(exc).__name__}")
        if load.settled(found, task_ids):
            break
        await asyncio.sleep(5)
    return found
