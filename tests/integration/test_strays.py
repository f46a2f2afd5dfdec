"""tests.processes.stop_strays: what a stack's folder still runs after its services stopped is ended,
and nothing outside the folder is touched."""

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.processes import stop_strays

pytestmark = pytest.mark.integration
SLEEP = "import sys, time; time.sleep(60)"


def sleeper(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", SLEEP, *args])


def test_a_process_naming_the_folder_is_ended_and_one_beside_it_is_not(tmp_path: Path) -> None:
    stack = tmp_path / "e2e1"
    stray = sleeper(f"--user-data-dir={stack}/files/browsers/p-1/profile")
    beside = sleeper(f"--user-data-dir={tmp_path}/e2e10/files/browsers/p-1/profile")  # a longer name
    try:
        assert stop_strays(stack, grace_s=5) == [stray.pid]
        assert stray.wait(5) is not None
        assert beside.poll() is None and psutil.pid_exists(beside.pid)
    finally:
        for proc in (stray, beside):
            proc.kill()
            proc.wait(5)
