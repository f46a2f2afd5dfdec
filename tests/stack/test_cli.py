"""`autoapply up` starts the whole stack healthy, `status --json` says so, `down` leaves nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from autoapply.local import pgroot
from autoapply.local.procs import PidRecord
from autoapply.local.services import SERVICES
from tests.stack.helpers import alive, assert_gone, autoapply, process_tree

pytestmark = pytest.mark.integration


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
    autoapply("down", "--home", str(home))  # also after a failure half-way
    state = home / "stack.json"
    if state.exists():  # as root PostgreSQL's data lives outside the test folder
        data_dir = json.loads(state.read_text())["parts"]["postgres"]["data_dir"]
        pgroot.remove_data_dir(Path(data_dir), home / "data" / "postgres" / "pgdata")


def test_up_status_down(home: Path) -> None:
    began = time.monotonic()
    up = autoapply("up", "--home", str(home), "--instances", "executor=2", "--sandbox")
    assert up.returncode == 0, up.stdout + up.stderr
    up_s = time.monotonic() - began

    status = autoapply("status", "--home", str(home), "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 0 and report["healthy"] is True, status.stdout
    assert set(report["parts"]) == {"nats", "postgres", "redis", "sandbox", *SERVICES}
    assert set(report["parts"]["executor"]["instances"]) == {"executor-1", "executor-2"}
    assert isinstance(report["streams"], dict)

    processes = started_processes(home)
    again = autoapply("up", "--home", str(home))
    assert again.returncode == 0 and again.stdout.count("already running") == 3 + len(SERVICES) + 1 + 1
    assert not [p for p in processes if not p.is_running()], "a second up restarted something"

    began = time.monotonic()
    down = autoapply("down", "--home", str(home))
    assert down.returncode == 0, down.stdout + down.stderr
    assert_gone(processes, within_s=1.0)
    assert not list((home / "run").glob("*.pid"))
    print(f"up {up_s:.1f} s, down {time.monotonic() - began:.1f} s, {len(processes)} processes")

    after = autoapply("status", "--home", str(home), "--json")
    assert after.returncode == 1 and json.loads(after.stdout)["healthy"] is False
    assert autoapply("down", "--home", str(home)).returncode == 0  # idempotent
    assert not alive(processes)
