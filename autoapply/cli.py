"""The `autoapply` command: run the local stack (up, status, down) and the sandbox.

Each subcommand is one entry in COMMANDS: a help line, a function adding its arguments, and a
function running it that returns the exit code. New subcommands are added there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from autoapply import demo, operators, opscmds, plan, profiles, usercmds
from autoapply.api_client import ApiError
from autoapply.local.procs import StartError
from autoapply.local.services import DATABASE, SERVICES
from autoapply.local.status import collect, render_cluster
from autoapply.stack import HOME_ENV, MAX_INSTANCES, Stack, default_home


@dataclass(frozen=True)
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, default=None, help=f"the stack's folder (default: ${HOME_ENV}, else ./var/stack)"
    )


def _home(args: argparse.Namespace) -> Path:
    return Path(args.home).absolute() if args.home else default_home()


def parse_instances(pairs: Sequence[str]) -> dict[str, int]:
    """["executor=2", ...] -> {"executor": 2}; bad input raises ValueError naming the problem."""
    counts: dict[str, int] = {}
    for pair in pairs:
        service, sep, number = pair.partition("=")
        if not sep or service not in SERVICES:
            raise ValueError(f"--instances wants SERVICE=N with SERVICE one of {', '.join(SERVICES)}; got {pair!r}")
        if not number.isdigit() or not 0 <= int(number) <= MAX_INSTANCES:
            raise ValueError(f"--instances {pair!r}: N must be a whole number from 0 to {MAX_INSTANCES}")
        counts[service] = int(number)
    return counts


# up
def _configure_up(parser: argparse.ArgumentParser) -> None:
    _add_home(parser)
    parser.add_argument(
        "--instances",
        nargs="+",
        action="extend",
        default=[],
        metavar="SERVICE=N",
        help="how many instances of a service to run (remembered for later ups)",
    )
    parser.add_argument(
        "--sandbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run the sandbox job sites and mailbox (demo mode; remembered for later ups)",
    )
    parser.add_argument(
        "--cluster",
        type=int,
        default=None,
        metavar="N",
        help="run a JetStream cluster of N (3 or 5) nats-server nodes, streams at N replicas; 1 for one node "
        "(remembered for later ups; docs/deploy.md)",
    )


def _run_up(args: argparse.Namespace) -> int:
    counts = parse_instances(args.instances)
    stack = Stack(_home(args))
    began = time.monotonic()
    try:
        with stack.locked():
            reports = stack.up(counts, sandbox=args.sandbox, cluster=args.cluster)
    except StartError as exc:
        print(
            f"autoapply up: not healthy: {exc}\n(`autoapply status` shows the rest; `autoapply down` stops it)",
            file=sys.stderr,
        )
        return 1
    for r in reports:
        state = f"started in {r.seconds:.2f} s" if r.started else "already running"
        print(f"{r.name:<14} {state:<20} {r.detail}")
    print(f"stack healthy in {time.monotonic() - began:.1f} s: {stack.home}")
    return 0


# down
def _run_down(args: argparse.Namespace) -> int:
    stack = Stack(_home(args))
    if not stack.run.is_dir():
        print(f"nothing to stop in {stack.home}")
        return 0
    began = time.monotonic()
    with stack.locked():
        results = stack.down()
    for name, outcome in results:
        print(f"{name:<14} {outcome}")
    print(f"stopped in {time.monotonic() - began:.1f} s" if results else f"nothing was running in {stack.home}")
    return 0


# status
def _configure_status(parser: argparse.ArgumentParser) -> None:
    _add_home(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _run_status(args: argparse.Namespace) -> int:
    report = collect(Stack(_home(args), readonly=True))
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(render_status(report))
    return 0 if report["healthy"] else 1


def render_status(report: dict[str, Any]) -> str:
    if "error" in report:
        return str(report["error"])
    lines = [f"{'PART':<16} {'STATE':<9} {'PID':>7}  WHERE"]
    for name, part in report["parts"].items():
        for label, entry in part.get("instances", {name: part}).items():
            state = "healthy" if entry["healthy"] else ("unhealthy" if entry["running"] else "down")
            where = entry.get("http_url") or entry.get("health_url") or entry.get("url") or ""
            lines.append(f"{label:<16} {state:<9} {entry['pid'] or '-':>7}  {where}")
    lines += ["", *render_cluster(report), *render_streams(report)]
    lines += ["", *profiles.render_browsers(report.get("browsers"))]
    lines.append(f"overall: {'healthy' if report['healthy'] else 'NOT healthy'}")
    return "\n".join(lines)


def render_streams(report: dict[str, Any]) -> list[str]:
    if report.get("streams_error"):
        return [f"streams: unavailable ({report['streams_error']})"]
    if not report["streams"]:
        return ["streams: none declared yet"]
    lines = [f"{'STREAM / CONSUMER':<40} {'MSGS':>7} {'PENDING':>8} {'ACK_PEND':>8} {'REDELIV':>8}"]
    for name, stream in sorted(report["streams"].items()):
        lines.append(f"{name:<40} {stream['messages']:>7}")
        for durable, c in sorted(stream["consumers"].items()):
            lines.append(f"  {durable:<38} {'':>7} {c['pending']:>8} {c['ack_pending']:>8} {c['redelivered']:>8}")
    dead = report["dead_letters"]
    lines.append(f"dead letters: {dead if dead is not None else '- (no dead-letter stream yet)'}")
    return lines + render_outboxes(report)


def render_outboxes(report: dict[str, Any]) -> list[str]:
    """One line per service with unsent or parked outbox rows, then each parked row's error."""
    if report.get("outbox_error"):
        return [f"outboxes: unavailable ({report['outbox_error']})"]
    lines = []
    for service, box in sorted(report.get("outbox", {}).items()):
        if box["pending"] or box["parked"]:
            lines.append(f"outbox {service}: {box['pending']} unsent, {box['parked']} parked")
            lines += [f"  parked {r['id']} {r['subject']}: {r['error']}" for r in box["parked_rows"]]
    return lines


# sandbox
def _configure_sandbox(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Other options (--seed, --state-dir, ...) are passed to `python -m sandbox` as they are."
    parser.add_argument("--port", type=int, help="HTTP port (default: a free one)")
    parser.add_argument("--smtp-port", type=int, help="SMTP sink port (default: a free one)")


def _run_sandbox(args: argparse.Namespace) -> int:
    argv = [sys.executable, "-m", "sandbox"]
    if args.port is not None:
        argv += ["--port", str(args.port)]
    if args.smtp_port is not None:
        argv += ["--smtp-port", str(args.smtp_port)]
    sys.stdout.flush()
    os.execv(sys.executable, argv + args.passthrough)  # the sandbox runs in the foreground in our place


# profiles
def _configure_profiles(parser: argparse.ArgumentParser) -> None:
    _add_home(parser)
    parser.add_argument("--database-url", help="a PostgreSQL other than the local stack's")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _run_profiles(args: argparse.Namespace) -> int:
    if args.database_url:
        dsn = str(args.database_url)
    else:
        stack = Stack(_home(args), readonly=True)
        dsn = stack.postgres(stack.load_state()).dsn(DATABASE)
    try:
        found = profiles.collect(dsn)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"autoapply profiles: {exc or type(exc).__name__} (is the stack up? `autoapply status`)", file=sys.stderr)
        return 1
    print(profiles.dumps(found) if args.json else profiles.render(found))
    return 0


COMMANDS: dict[str, Command] = {
    "up": Command("start the local stack and wait until it is healthy", _configure_up, _run_up),
    "status": Command("health of every part and the JetStream backlog", _configure_status, _run_status),
    "down": Command("stop everything `up` started (and nothing else)", _add_home, _run_down),
    "sandbox": Command("run the ATS sandbox in the foreground", _configure_sandbox, _run_sandbox),
    "dlq": Command("list or replay dead letters", opscmds.configure_dlq, opscmds.run_dlq),
    "traces": Command(
        "start the local trace explorer and send the stack's spans to it", opscmds.configure_traces, opscmds.run_traces
    ),
    "asyncapi": Command(
        "write docs/asyncapi.yaml: every subject and payload", opscmds.configure_asyncapi, opscmds.run_asyncapi
    ),
    "bus": Command("JetStream streams and consumers, and the events passing", opscmds.configure_bus, opscmds.run_bus),
    "profiles": Command("browser profiles: bindings, state, memory", _configure_profiles, _run_profiles),
    "operator": Command(
        "give an account the operator role (the operator page), or take it back", operators.configure, operators.run
    ),
    "plan": Command("show what would be filled into an application page, never submitting", plan.configure, plan.run),
    "login": Command("log in to the API (and remember the tokens)", usercmds.configure_login, usercmds.run_login),
    "apply": Command("apply to jobs, with a live progress bar per task", usercmds.configure_apply, usercmds.run_apply),
    "tasks": Command("your tasks, newest first", usercmds.configure_tasks, usercmds.run_tasks),
    "task": Command("one task and its timeline", usercmds.configure_task, usercmds.run_task),
    "approve": Command(
        "approve a task waiting for review, with corrections", usercmds.configure_approve, usercmds.run_approve
    ),
    "profile": Command("import a PROFILE file into your account", usercmds.configure_profile, usercmds.run_profile),
    "demo": Command("start everything and apply to a dozen sandbox jobs as a demo user", demo.configure, demo.run),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autoapply", description="Autoapply: local stack and tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.configure(sub.add_parser(name, help=command.help, description=command.help))
    return parser


# Subcommands that hand options they do not know to the program they run.
PASSTHROUGH = frozenset({"sandbox"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command not in PASSTHROUGH:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.passthrough = unknown
    try:
        return COMMANDS[args.command].run(args)
    except (ValueError, FileNotFoundError, PermissionError, TimeoutError) as exc:
        print(f"autoapply {args.command}: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"autoapply {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
