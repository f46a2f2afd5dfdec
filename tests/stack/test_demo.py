"""`autoapply demo --unattended --json`, trimmed to Greenhouse: the stack, a demo user, applications
that complete (one after an emailed security code), one JSON object; a second run applies to nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from autoapply.local import pgroot

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_S = 280.0


def autoapply(home: Path, *args: str, timeout_s: float = 90.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOAPPLY_CREDENTIALS": str(home.parent / "credentials.json")}
    return subprocess.run(
        [sys.executable, "-m", "autoapply.cli", *args, "--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
        env=env,
        check=False,
    )


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "stack"
    yield home
    autoapply(home, "down")
    state = home / "stack.json"
    if state.exists():
        data_dir = json.loads(state.read_text())["parts"]["postgres"]["data_dir"]
        pgroot.remove_data_dir(Path(data_dir), home / "data" / "postgres" / "pgdata")


def _demo(home: Path) -> dict[str, object]:
    done = autoapply(
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
