"""CPU seconds of a command's whole process tree, by kind of process (docs/testing.md, Measuring).

    .venv/bin/python -m tests.cpu OUT.json -- .venv/bin/python -m pytest tests/e2e/test_apply.py -q

The tree is sampled every `--every` seconds and each process keeps the CPU it had when last seen, so
a process that lives less than one interval is undercounted; `/usr/bin/time -v` gives the exact
total of the processes that were waited for, this gives where it went (services, Chromium, the
servers, pytest itself) on a machine whose wall times say little.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import psutil

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


def main(argv: list[str]) -> int:
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
