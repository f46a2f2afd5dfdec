"""`autoapply demo --unattended --json`, trimmed: the stack with one browser slot, a demo user, Lever's
CAPTCHA job waiting for a person, then Greenhouse's emailed-code job behind it, which completes: the
waiting browser holds no slot against another platform's task (the full demo's failure, with six
platforms on four slots); one JSON object each time; a run again applies to nothing."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoapply.local import pgroot
from tests.stack.helpers import CLI_TIMEOUT_S, autoapply

pytestmark = pytest.mark.integration

DEMO_TIMEOUT_S = 280.0
# Fewer slots than platforms: a browser waiting for a person must not keep the next platform out.
STACK_ENV = {"AUTOAPPLY_BROWSER_SLOTS": "1"}


def demo_cli(home: Path, *args: str, timeout_s: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """The CLI on this test's stack, with its own saved login."""
    env = {"AUTOAPPLY_CREDENTIALS": str(home.parent / "credentials.json"), **STACK_ENV}
    return autoapply(*args, "--home", str(home), timeout_s=timeout_s, env=env)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "stack"
    yield home
    demo_cli(home, "down")
    state = home / "stack.json"
    if state.exists():
        data_dir = json.loads(state.read_text())["parts"]["postgres"]["data_dir"]
        pgroot.remove_data_dir(Path(data_dir), home / "data" / "postgres" / "pgdata")


def _demo(home: Path, platforms: str) -> dict[str, Any]:
    """Only the platforms' special jobs (`--per-platform 0`): Lever's CAPTCHA, Greenhouse's emailed code."""
    done = demo_cli(
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


@pytest.mark.timeout(3 * DEMO_TIMEOUT_S + 60)
def test_the_demo_reports_a_wait_applies_behind_it_and_never_applies_twice(home: Path) -> None:
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
