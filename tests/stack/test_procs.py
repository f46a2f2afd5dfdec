"""Pid files: we stop what we started, with its children, and never a process we did not start."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from autoapply import cli
from autoapply.local import procs, stopping
from autoapply.local.procs import PidRecord, StartError
from autoapply.local.server import LocalServer
from tests.stack.helpers import assert_gone, process_tree

pytestmark = pytest.mark.integration


@pytest.fixture
def stranger() -> Iterator[subprocess.Popen[bytes]]:
    """A process we did not start through autoapply (an unrelated `sleep`)."""
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def _stale_records(stranger: subprocess.Popen[bytes]) -> dict[str, PidRecord]:
    ticks = procs.start_ticks(stranger.pid)
    assert ticks is not None
    real = PidRecord(
        name="x",
        pid=stranger.pid,
        create_time=psutil.Process(stranger.pid).create_time(),
        cmdline=["sleep", "300"],
        log="",
        start_ticks=ticks,
    )
    return {
        # the pid was ours once, but the process with it now started at another time
        "nats": replace(
            real,
            name="nats",
            kind="nats",
            start_ticks=ticks - 500,
            create_time=real.create_time - 5,
            cmdline=["/venv/bin/nats-server", "-c", "nats.conf"],
        ),
        # same start time (impossible in practice), but another program
        "redis": replace(real, name="redis", kind="redis", cmdline=["/usr/bin/redis-server", "--port", "1"]),
    }


def test_down_leaves_a_process_it_did_not_start_alone(
    tmp_path: Path, stranger: subprocess.Popen[bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "stack" / "run"
    for name, record in _stale_records(stranger).items():
        record.write(run / f"{name}.pid")
    assert cli.main(["down", "--home", str(tmp_path / "stack")]) == 0
    assert stranger.poll() is None, "down killed a process it did not start"
    assert not list(run.glob("*.pid"))
    out = capsys.readouterr().out
    assert out.count(f"pid {stranger.pid} belongs to another process, left alone") == 2


def test_stop_takes_children_and_the_process_group_along(tmp_path: Path) -> None:
    # The parent and both children ignore SIGTERM, so only the SIGKILL after the grace period works.
    record = procs.spawn(
        "family",
        ["sh", "-c", "trap '' TERM; sleep 300 & sleep 300 & wait"],
        tmp_path / "family.log",
        tmp_path / "family.pid",
    )
    tree = _wait_for_children(record.pid, 2)
    assert stopping.terminate(record, grace_s=0.5) == "killed"
    assert_gone(tree)


def _wait_for_children(pid: int, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        tree = process_tree(pid)
        if len(tree) > count:
            return tree
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} did not start {count} children")


class Scripted(LocalServer):
    """A stand-in server: a shell script, healthy never."""

    name = "scripted"

    def __init__(self, directory: Path, script: str) -> None:
        super().__init__(directory)
        self.script = script

    def command(self) -> list[str]:
        return ["sh", "-c", self.script]

    def healthy(self) -> bool:
        return False


def test_a_server_that_exits_fails_fast_with_its_log_tail(tmp_path: Path) -> None:
    with pytest.raises(StartError, match=r"(?s)exited while starting with exit code 3.*cannot bind 127"):
        Scripted(tmp_path, "echo cannot bind 127.0.0.1:1; exit 3").start(timeout_s=20)


def test_a_server_never_healthy_is_stopped_when_the_deadline_passes(tmp_path: Path) -> None:
    server = Scripted(tmp_path, "echo waiting for nothing; sleep 300")
    with pytest.raises(StartError, match=r"(?s)not healthy in time.*waiting for nothing") as failure:
        server.start(timeout_s=0.5)
    pid = int(re.search(r"\(pid (\d+)\)", str(failure.value)).group(1))  # type: ignore[union-attr]
    assert not psutil.pid_exists(pid)
    assert not server.pid_file.exists()


def test_a_pid_file_names_our_process_only_while_its_start_time_matches(tmp_path: Path) -> None:
    record = procs.spawn(
        "sleeper", [sys.executable, "-c", "import time; time.sleep(300)"], tmp_path / "s.log", tmp_path / "s.pid"
    )
    try:
        assert procs.find_ours(record) is not None
        assert procs.find_ours(replace(record, start_ticks=(record.start_ticks or 0) + 1)) is None
        assert procs.find_ours(replace(record, cmdline=["/usr/bin/postgres"])) is None
    finally:
        assert stopping.terminate(record) == "stopped"
    assert stopping.terminate(record) == "not running"


def test_a_crash_kill_without_descendants_leaves_what_started_its_own_session(tmp_path: Path) -> None:
    # A provisioner's browsers run in sessions of their own: a crash of the provisioner leaves them.
    script = (
        "import subprocess, sys, time\n"
        "own = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "group = subprocess.Popen(['sleep', '300'])\n"
        "print(own.pid, group.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    log = tmp_path / "parent.log"
    record = procs.spawn("parent", [sys.executable, "-c", script], log, tmp_path / "parent.pid")
    deadline = time.monotonic() + 20
    while not re.search(r"^\d+ \d+$", log.read_text(), re.M):
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    own, group = (psutil.Process(int(p)) for p in re.findall(r"^(\d+) (\d+)$", log.read_text(), re.M)[0])
    try:
        assert stopping.kill_now(record, descendants=False)
        assert not psutil.pid_exists(record.pid) or psutil.Process(record.pid).status() == psutil.STATUS_ZOMBIE
        assert own.is_running() and own.status() != psutil.STATUS_ZOMBIE
        assert not group.is_running() or group.status() == psutil.STATUS_ZOMBIE  # its own group died with it
    finally:
        own.kill()
