"""`autoapply up` starts the whole stack healthy, `status --json` says so, a second `up` restarts
nothing, `autoapply demo` runs on it, `down` leaves nothing.

One stack for both (a start and a stop of the whole embedded stack is the biggest cost here): the
demo, trimmed, on a stack with one browser slot: Lever's CAPTCHA job waiting for a person, then
Greenhouse's emailed-code job behind it, which completes: the waiting browser holds no slot against
another platform's task (the full demo's failure, with six platforms on four slots); one JSON object
each time; a run again applies to nothing. Two executors do not change the slot count: their flow
consumers' max_ack_pending is capped by the slots across instances (autoapply/local/services.py)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from autoapply.local import pgroot
from autoapply.local.procs import PidRecord
from autoapply.local.services import SERVICES
from tests.stack.helpers import CLI_TIMEOUT_S, alive, assert_gone, autoapply, process_tree

pytestmark = pytest.mark.integration

DEMO_TIMEOUT_S = 280.0
# Fewer slots than platforms: a browser waiting for a person must not keep the next platform out.
STACK_ENV = {"AUTOAPPLY_BROWSER_SLOTS": "1"}
# Stopping the stack with the demo's browsers open (the CAPTCHA's waits for a person): as in
# test_demo_model, over a minute and a half on a loaded machine (a load average of about 37).
DOWN_TIMEOUT_S = 180.0


def cli(home: Path, *args: str, timeout_s: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """The CLI on this test's stack, with its own saved login and the stack's one browser slot."""
    env = {"AUTOAPPLY_CREDENTIALS": str(home.parent / "credentials.json"), **STACK_ENV}
    return autoapply(*args, "--home", str(home), timeout_s=timeout_s, env=env)


def started_processes(home: Path) -> list[psutil.Process]:
    found = []
    for pid_file in (home / "run").glob("*.pid"):
        record = PidRecord.read(pid_file)
        assert record is not None
        found += process_tree(record.pid)
    return found


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "stack"
    yield home
    cli(home, "down", timeout_s=DOWN_TIMEOUT_S)  # also after a failure half-way
    state = home / "stack.json"
    if state.exists():  # as root PostgreSQL's data lives outside the test folder
        data_dir = json.loads(state.read_text())["parts"]["postgres"]["data_dir"]
        pgroot.remove_data_dir(Path(data_dir), home / "data" / "postgres" / "pgdata")


def _demo(home: Path, platforms: str) -> dict[str, Any]:
    """Only the platforms' special jobs (`--per-platform 0`): Lever's CAPTCHA, Greenhouse's emailed code."""
    done = cli(
        home, "demo", "--unattended", "--json", "--platforms", platforms, "--per-platform", "0",
        timeout_s=DEMO_TIMEOUT_S,
    )  # fmt: skip
    assert done.stdout.strip(), f"no JSON from the demo (exit {done.returncode}):\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _submitted(home: Path, site: str) -> list[dict[str, Any]]:
    sandbox = f"http://127.0.0.1:{json.loads((home / 'stack.json').read_text())['ports']['sandbox']}"
    found = httpx.get(f"{sandbox}/_admin/submissions", params={"site": site}, timeout=10).json()["submissions"]
    return list(found)


def _up_and_status(home: Path) -> list[psutil.Process]:
    """`up` with two executors and the sandbox, healthy in `status`, and a second `up` that restarts
    nothing; the processes the first one started."""
    began = time.monotonic()
    up = cli(home, "up", "--instances", "executor=2", "--sandbox")
    assert up.returncode == 0, up.stdout + up.stderr
    print(f"up {time.monotonic() - began:.1f} s")

    status = cli(home, "status", "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 0 and report["healthy"] is True, status.stdout
    assert set(report["parts"]) == {"nats", "postgres", "redis", "sandbox", *SERVICES}
    assert set(report["parts"]["executor"]["instances"]) == {"executor-1", "executor-2"}
    assert isinstance(report["streams"], dict)

    processes = started_processes(home)
    again = cli(home, "up")
    assert again.returncode == 0 and again.stdout.count("already running") == 3 + len(SERVICES) + 1 + 1
    assert not [p for p in processes if not p.is_running()], "a second up restarted something"
    return processes


def _demo_waits_applies_behind_and_never_twice(home: Path) -> None:
    first = _demo(home, "lever")["results"]
    assert [(r["platform"], r["outcome"], r["why"]) for r in first] == [("lever", "WAITING", "a CAPTCHA")]
    assert _submitted(home, "lever") == []
    # The CAPTCHA's browser stays open for the person, and the one slot goes to Greenhouse's job.
    results = _demo(home, "lever,greenhouse")["results"]
    assert [r["platform"] for r in results] == ["greenhouse", "lever"]
    done, waiting = results
    assert done["outcome"] == "COMPLETED", done
    assert done["provenance"].get("profile", 0) >= 5 and done["tokens"] == 0
    assert done["receipt"] and done["seconds"] is not None and done["task_id"]
    assert (waiting["task_id"], waiting["outcome"]) == (first[0]["task_id"], "WAITING")
    assert len(_submitted(home, "greenhouse")) == 1
    again = _demo(home, "lever,greenhouse")["results"]
    assert [r["task_id"] for r in again] == [r["task_id"] for r in results]
    assert (len(_submitted(home, "greenhouse")), _submitted(home, "lever")) == (1, [])


def _down_leaves_nothing(home: Path, processes: list[psutil.Process]) -> None:
    began = time.monotonic()
    down = cli(home, "down", timeout_s=DOWN_TIMEOUT_S)
    assert down.returncode == 0, down.stdout + down.stderr
    assert_gone(processes, within_s=1.0)
    assert not list((home / "run").glob("*.pid"))
    print(f"down {time.monotonic() - began:.1f} s, {len(processes)} processes")

    after = cli(home, "status", "--json")
    assert after.returncode == 1 and json.loads(after.stdout)["healthy"] is False
    assert cli(home, "down").returncode == 0  # idempotent
    assert not alive(processes)


@pytest.mark.timeout(3 * DEMO_TIMEOUT_S + 3 * CLI_TIMEOUT_S + DOWN_TIMEOUT_S)
def test_up_status_demo_down(home: Path) -> None:
    processes = _up_and_status(home)
    _demo_waits_applies_behind_and_never_twice(home)
    _down_leaves_nothing(home, processes)
