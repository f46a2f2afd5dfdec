"""The stack's work when it has none: CPU per second of every part of an idle local stack (no
tasks), one node or a cluster, so the services' and servers' own loops (pulls, health checks,
pollers) can be seen and cut.

    ./dev bench idle [--cluster 3] [--instances 2] [--seconds 60] [--settle 30] [--profile FILE]

Starts the stack in a temporary folder (`autoapply up`, no sandbox), waits `--settle` seconds for
the start's own work to end, then reads every process's CPU seconds (user + system, the process
and its children, as bench/_cpu.py) at the start and end of `--seconds`. With --profile, py-spy
records the busiest service instance meanwhile (py-spy on PATH or AUTOAPPLY_PYSPY; not a
dependency). Prints a table, then one JSON line: cpu_ms_per_s by part and instance, their total,
and the load average.
"""

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from autoapply.local import pgroot
from autoapply.local.procs import PidRecord, StartError
from autoapply.local.services import SERVICES
from autoapply.stack import Stack
from bench._cpu import group_seconds
from bench._report import emit

PYSPY_ENV = "AUTOAPPLY_PYSPY"
UP_TRIES = 4


def processes(stack: Stack) -> dict[str, int]:
    """Every part the stack's pid files name (nats-1, postgres, intake-2, ...), by its pid."""
    found = {}
    for pid_file in sorted(stack.run.glob("*.pid")):
        record = PidRecord.read(pid_file)
        if record is not None:
            found[record.name] = record.pid
    return found


def reading(pids: dict[str, int]) -> dict[str, float]:
    return {name: group_seconds(pid) for name, pid in pids.items()}


def part_of(name: str) -> str:
    """intake-2 -> intake, nats-3 -> nats; a single server keeps its name."""
    head, _, tail = name.rpartition("-")
    return head if head and tail.isdigit() else name


def per_second(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    return {name: round((after[name] - before[name]) * 1000 / seconds, 1) for name in before if name in after}


def by_part(instances: dict[str, float]) -> dict[str, float]:
    parts: dict[str, float] = {}
    for name, ms in instances.items():
        parts[part_of(name)] = round(parts.get(part_of(name), 0.0) + ms, 1)
    return dict(sorted(parts.items(), key=lambda kv: -kv[1]))


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    spy = os.environ.get(PYSPY_ENV) or shutil.which("py-spy")
    if spy is None:
        print("no py-spy: not profiling")
        return None
    command = [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw", "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bring_up(stack: Stack, args: argparse.Namespace) -> None:
    # On a loaded machine one `up` (60 s) may not see ten instances healthy; each further `up`
    # starts only what is not running yet.
    for attempt in range(1, UP_TRIES + 1):
        try:
            with stack.locked():
                stack.up({s: args.instances for s in SERVICES}, sandbox=False, cluster=args.cluster)
            return
        except StartError:
            if attempt == UP_TRIES:
                raise


def measure(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    began = time.monotonic()
    bring_up(stack, args)
    up_s = time.monotonic() - began
    time.sleep(args.settle)
    pids = processes(stack)
    before, start = reading(pids), time.monotonic()
    time.sleep(args.seconds)
    after = reading(pids)
    instances = per_second(before, after, time.monotonic() - start)
    spy = None
    if args.profile:
        busiest = max((n for n in instances if part_of(n) in SERVICES), key=lambda n: instances[n])
        print(f"profiling {busiest} for {args.seconds} s")
        spy = profile(pids[busiest], args.seconds, args.profile)
        if spy is not None:
            spy.wait()
    parts = by_part(instances)
    return {
        "cluster": args.cluster,
        "instances": args.instances,
        "seconds": args.seconds,
        "up_s": round(up_s, 1),
        "cpu_ms_per_s": parts,
        "cpu_ms_per_s_by_instance": instances,
        "total_cpu_ms_per_s": round(sum(parts.values()), 1),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def remove_postgres_data(stack: Stack) -> None:
    # PostgreSQL's files belong to its own user: the temporary folder cannot remove them itself.
    parts = stack.load_state().get("parts", {})
    if "postgres" in parts:
        pgroot.remove_data_dir(Path(parts["postgres"]["data_dir"]), stack.data / "postgres" / "pgdata")


def table(result: dict[str, Any]) -> str:
    rows = [f"{'part':<14} {'CPU ms/s':>9}"]
    rows += [f"{part:<14} {ms:>9}" for part, ms in result["cpu_ms_per_s"].items()]
    rows.append(f"{'total':<14} {result['total_cpu_ms_per_s']:>9}   load average {result['load_average_1m']}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", type=int, default=1, choices=(1, 3, 5), help="nats-server nodes (default 1)")
    parser.add_argument("--instances", type=int, default=1, help="instances of every service (default 1)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure (default 60)")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds after `up` before measuring")
    parser.add_argument("--profile", type=Path, help="py-spy's raw stacks of the busiest instance, to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as folder:
        os.chmod(folder, 0o755)  # PostgreSQL runs as its own user and must reach its data folder
        stack = Stack(Path(folder) / "stack")
        try:
            result = measure(args, stack)
        finally:
            with stack.locked():
                stack.down()
            remove_postgres_data(stack)
    print(table(result))
    emit(result)


if __name__ == "__main__":
    main()
