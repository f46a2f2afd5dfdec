"""The operator's subcommands, `bus` and `dlq`: arguments, output, and one line with a non-zero
exit when the stack is down or what was asked for does not exist."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from nats import errors as nats_errors

from autoapply import deadletters, ops
from autoapply.local.procs import StartError
from autoapply.stack import HOME_ENV, Stack, default_home
from autoapply.stack import nats_url as stack_nats_url

T = TypeVar("T")
# Exit codes: the stack (or the server) is not there; what was asked for does not exist.
EXIT_DOWN = 1
EXIT_MISSING = 3


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, default=None, help=f"the stack's folder (default: ${HOME_ENV}, else ./var/stack)"
    )
    parser.add_argument("--nats-url", help="a nats-server other than the local stack's")


def nats_url(args: argparse.Namespace) -> str:
    if args.nats_url:
        return str(args.nats_url)
    stack = Stack(Path(args.home).absolute() if args.home else default_home(), readonly=True)
    if not stack.state_file.exists():
        raise ops.StackDown(f"no stack in {stack.home}; run `autoapply up` first")
    return stack_nats_url(stack.nats_nodes(stack.load_state()))


def _target(command: str, args: argparse.Namespace) -> str | None:
    try:
        return nats_url(args)
    except ops.StackDown as exc:
        print(f"autoapply {command}: {exc}", file=sys.stderr)
        return None


def _run(command: str, work: Coroutine[Any, Any, T]) -> tuple[int, T | None]:
    try:
        return 0, asyncio.run(work)
    except ops.StackDown as exc:
        print(f"autoapply {command}: {exc} (is the stack up? `autoapply status`)", file=sys.stderr)
        return EXIT_DOWN, None
    except LookupError as exc:
        print(f"autoapply {command}: {exc.args[0]}", file=sys.stderr)
        return EXIT_MISSING, None
    except (OSError, nats_errors.Error) as exc:  # the server went away mid-command
        print(f"autoapply {command}: the nats-server stopped answering ({type(exc).__name__})", file=sys.stderr)
        return EXIT_DOWN, None


def _print(rows: Any, as_json: bool, render: Any) -> None:
    print(json.dumps(rows, indent=2) if as_json else render(rows))


# bus
def configure_bus(parser: argparse.ArgumentParser) -> None:
    _add_target(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("streams", help="every stream: messages, bytes, sequences, consumers")
    listing.add_argument("--json", action="store_true", help="print JSON")
    cons = actions.add_parser("consumers", help="every durable: pending, ack pending, redelivered, last active")
    cons.add_argument("--stream", help="only this stream's consumers")
    cons.add_argument("--json", action="store_true", help="print JSON")
    tail = actions.add_parser("tail", help="print the events on SUBJECT as they pass, personal data scrubbed")
    tail.add_argument("subject", help="a subject or wildcard, e.g. 'task.>' or '*.*.<task id>'")
    tail.add_argument("--count", type=int, default=None, help="stop after this many (default: until Ctrl-C)")


def run_bus(args: argparse.Namespace) -> int:
    command = f"bus {args.action}"
    url = _target(command, args)
    if url is None:
        return EXIT_DOWN
    if args.action == "streams":
        code, rows = _run(command, ops.streams(url))
        if rows is not None:
            _print(rows, args.json, ops.render_streams)
        return code
    if args.action == "consumers":
        code, rows = _run(command, ops.consumers(url, args.stream))
        if rows is not None:
            _print(rows, args.json, ops.render_consumers)
        return code
    if args.count is not None and args.count < 1:
        raise ValueError("--count must be at least 1")
    return _run(command, ops.tail(url, args.subject, args.count))[0]


# dlq
def configure_dlq(parser: argparse.ArgumentParser) -> None:
    _add_target(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the dead letters: subject, consumer, reason")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    again = actions.add_parser("replay", help="publish one again on its original subject, then drop it")
    again.add_argument("seq", type=int, help="its sequence number in the dead-letter stream (from `list`)")


def run_dlq(args: argparse.Namespace) -> int:
    url = _target(f"dlq {args.action}", args)
    if url is None:
        return EXIT_DOWN
    if args.action == "list":
        code, letters = _run("dlq list", deadletters.list_letters(url, args.limit))
        if letters is not None:
            print(deadletters.dumps(letters) if args.json else deadletters.render(letters))
        return code
    code, subject = _run("dlq replay", deadletters.replay(url, args.seq))
    if subject is not None:
        print(f"replayed dead letter {args.seq} onto {subject}")
    return code


# traces
def configure_traces(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, default=None, help=f"the stack's folder (default: ${HOME_ENV}, else ./var/stack)"
    )
    parser.add_argument("--off", action="store_true", help="stop the explorer; services stop exporting spans")


def run_traces(args: argparse.Namespace) -> int:
    stack = Stack(Path(args.home).absolute() if args.home else default_home())
    try:
        with stack.locked():
            stack.up(traces=not args.off)
    except StartError as exc:
        print(f"autoapply traces: not healthy: {exc}", file=sys.stderr)
        return EXIT_DOWN
    explorer = stack.trace_explorer(stack.load_state())
    if explorer is None:
        print("trace explorer stopped; the services no longer export spans")
    else:
        print(f"trace explorer: {explorer.url}  (services export to {explorer.otlp_traces_url})")
        print(f"a task's trace: {explorer.trace_url('<trace_id>')}  (`autoapply task ID` prints it)")
    return 0


def trace_link(trace_id: str | None, home: Path | None = None) -> str | None:
    """The local explorer's page for a trace, when the local stack runs one."""
    stack = Stack(home or default_home(), readonly=True)
    if not trace_id or not stack.state_file.exists():
        return None
    explorer = stack.trace_explorer(stack.load_state())
    return explorer.trace_url(trace_id) if explorer else None
