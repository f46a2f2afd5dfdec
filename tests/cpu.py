"""CPU seconds of a command's whole process tree, by kind of process (docs/testing.md, Measuring).

    .venv/bin/python -m tests.cpu OUT.json -- .venv/bin/python -m pytest tests/e2e/test_apply.py -q

As a pytest plugin (`-p tests.cpu`, also under xdist), it keeps each test file's CPU seconds and wall
seconds, setup and teardown of its fixtures included, and writes them per worker to var/cpu/:

    .venv/bin/python -m pytest -p tests.cpu -n 3 --dist loadfile --no-loadscope-reorder
    .venv/bin/python -m tests.cpu --files var/cpu

The tree is sampled every `--every` seconds and each process keeps the CPU it had when last seen, so
a process that lives less than one interval is undercounted; `/usr/bin/time -v` gives the exact
total of the processes that were waited for, this gives where it went (services, Chromium, the
servers, pytest itself) on a machine whose wall times say little.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

# Command-line words that name a kind of process better than its executable does.
NAMED = ("nats-server", "postgres", "redis-server", "dovecot", "mypy", "ruff")


def kind(cmdline: list[str]) -> str:
    """A short name: the module of `python -m`, Chromium (any of its processes), or a server's name."""
    text = " ".join(cmdline)
    if "chromium" in text or "chrome" in text or cmdline[:1] == ["/proc/self/exe"]:
        return "chromium"
    if "-m" in cmdline and cmdline.index("-m") + 1 < len(cmdline):
        return "python -m " + cmdline[cmdline.index("-m") + 1]
    named = next((name for name in NAMED if name in text), None)
    return named or (Path(cmdline[0]).name if cmdline else "?")


def sample(root: psutil.Process, seen: dict[tuple[int, float], tuple[str, float]]) -> None:
    try:
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return  # the command ended between two samples
    for proc in tree:
        try:
            times = proc.cpu_times()
            key = (proc.pid, proc.create_time())
            name = seen[key][0] if key in seen else kind(proc.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        seen[key] = (name, times.user + times.system)


def summary(seen: dict[tuple[int, float], tuple[str, float]], wall_s: float) -> dict[str, object]:
    by_kind: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for name, cpu_s in seen.values():
        by_kind[name][0] += cpu_s
        by_kind[name][1] += 1
    ordered = sorted(by_kind.items(), key=lambda item: -item[1][0])
    return {
        "wall_s": round(wall_s, 1),
        "cpu_s": round(sum(cpu for cpu, _ in by_kind.values()), 1),
        "by_kind": {name: {"cpu_s": round(cpu, 1), "processes": int(count)} for name, (cpu, count) in ordered},
    }


def tree_cpu_s() -> float:
    """CPU seconds of this process and all its descendants, living and reaped (a reaped process's
    time is in its parent's children_* counters; an orphan that init reaped is lost)."""
    me = psutil.Process()
    total = 0.0
    for proc in (me, *me.children(recursive=True)):
        try:
            times = proc.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


class FileCpu:
    """The plugin: CPU and wall seconds of each test file, its fixtures' setup and teardown included
    (a package fixture's start counts to the file whose test started it)."""

    def __init__(self, out: Path) -> None:
        self.files: dict[str, dict[str, float]] = {}
        self.out = out / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json"

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        cpu, wall = tree_cpu_s(), time.monotonic()
        yield
        entry = self.files.setdefault(item.nodeid.split("::")[0], {"cpu_s": 0.0, "wall_s": 0.0, "tests": 0})
        entry["cpu_s"] += tree_cpu_s() - cpu
        entry["wall_s"] += time.monotonic() - wall
        entry["tests"] += 1
        # After every test, so that a run stopped half-way (a timeout, an INTERNALERROR) keeps its numbers.
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(self.files, indent=1) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(FileCpu(Path(config.rootpath) / "var" / "cpu"), "tests-cpu-files")


def files_report(folder: Path) -> str:
    """The files of every worker's report, most CPU first, with the totals."""
    merged: dict[str, dict[str, float]] = {}
    for report in sorted(folder.glob("*.json")):
        for name, entry in json.loads(report.read_text()).items():
            merged[name] = entry | {"worker": report.stem}  # type: ignore[dict-item]
    lines = [f"{'cpu s':>8} {'wall s':>8} {'tests':>5}  file"]
    for name, entry in sorted(merged.items(), key=lambda item: -item[1]["cpu_s"]):
        counts = f"{entry['cpu_s']:8.1f} {entry['wall_s']:8.1f} {int(entry['tests']):5d}"
        lines.append(f"{counts}  {name} ({entry['worker']})")
    cpu, wall = sum(e["cpu_s"] for e in merged.values()), sum(e["wall_s"] for e in merged.values())
    lines.append(f"{cpu:8.1f} {wall:8.1f} {sum(int(e['tests']) for e in merged.values()):5d}  all files")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--files"]:
        print(files_report(Path(argv[1] if len(argv) > 1 else "var/cpu")))
        return 0
    parser = argparse.ArgumentParser(prog="python -m tests.cpu", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="where the JSON summary goes")
    parser.add_argument("--every", type=float, default=0.25, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run: give it after --")
    started = time.monotonic()
    child = subprocess.Popen(command)
    root, seen = psutil.Process(child.pid), dict[tuple[int, float], tuple[str, float]]()
    while child.poll() is None:
        sample(root, seen)
        time.sleep(args.every)
    result = summary(seen, time.monotonic() - started)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1), file=sys.stderr)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
