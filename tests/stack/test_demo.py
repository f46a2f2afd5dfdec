"""`autoapply demo --unattended --json`, trimmed to Greenhouse: the stack, a demo user, applications
that complete (one after an emailed security code), one JSON object; a second run applies to nothing."""

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


def demo_cli(home: Path, *args: str, timeout_s: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """The CLI on this test's stack, with its own saved login."""
    env = {"AUTOAPPLY_CREDENTIALS": str(home.parent / "credentials.json")}
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


def _demo(home: Path) -> dict[str, Any]:
    done = demo_cli(
        home, "demo", "--unattended", "--json", "--platforms", "greenhouse", "--per-platform", "1",
        timeout_s=DEMO_TIMEOUT_S,
    )  # fmt: skip
    assert done.stdout.strip(), f"no JSON from the demo (exit {done.returncode}):\n{done.stderr[-3000:]}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.timeout(2 * DEMO_TIMEOUT_S + 60)
def test_the_demo_applies_reports_and_never_applies_twice(home: Path) -> None:
    first = _demo(home)
    results = first["results"]
    assert isinstance(results, list) and len(results) == 2  # one plain job, one with an emailed code
    for r in results:
        assert r["platform"] == "greenhouse" and r["task_id"]
        assert r["outcome"] == "COMPLETED", r
        assert r["provenance"].get("profile", 0) >= 5 and r["tokens"] == 0
        assert r["receipt"] and r["seconds"] is not None
    sandbox = f"http://127.0.0.1:{json.loads((home / 'stack.json').read_text())['ports']['sandbox']}"
    submitted = httpx.get(f"{sandbox}/_admin/submissions", timeout=10).json()["submissions"]
    assert len(submitted) == 2
    again = _demo(home)
    assert [r["task_id"] for r in again["results"]] == [r["task_id"] for r in results]
    assert len(httpx.get(f"{sandbox}/_admin/submissions", timeout=10).json()["submissions"]) == 2
