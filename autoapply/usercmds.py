"""The user's commands through the HTTP API: login, apply, tasks, task, approve, profile import."""

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from autoapply import api_client, opscmds, profile_file, watch
from autoapply.api_client import ApiError, Client


def add_api(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api", default=None, help=f"the API's URL (default: ${api_client.API_ENV}, else the local stack)"
    )


def configure_login(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    parser.add_argument("--register", metavar="NAME", help="create the account first, with this name")


def run_login(args: argparse.Namespace) -> int:
    api = api_client.api_url(args.api)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")
    with httpx.Client(base_url=api, timeout=api_client.TIMEOUT_S) as http:
        api_client.sign_in(http, api, args.email, password, args.register)
    print(f"logged in to {api} as {args.email}")
    return 0


def configure_apply(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("urls", nargs="+", metavar="URL", help="job URLs")
    parser.add_argument("--resume", type=Path, help="a PDF or DOCX to upload and apply with (default: your newest)")
    parser.add_argument("--priority", choices=("high", "normal", "low"), default="normal")
    parser.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="follow each task live until it ends (default: yes)",
    )


def run_apply(args: argparse.Namespace) -> int:
    console = Console()
    with Client(api_client.api_url(args.api)) as client:
        body: dict[str, Any] = {"job_urls": args.urls, "priority": args.priority}
        if args.resume:
            body["resume_id"] = upload(client, args.resume)
        results = client.ok("POST", "/api/v1/tasks/batch", json=body)["results"]
        accepted = [r for r in results if r["http_status"] == 201]
        outcomes = (
            asyncio.run(watch.follow_all(client.api, client.access_token(), accepted, console))
            if (args.wait and accepted)
            else {}
        )
    console.print(results_table(results, outcomes))
    return 0 if len(accepted) == len(results) else 1


def upload(client: Client, path: Path) -> str:
    data = path.read_bytes()
    made = client.ok("POST", "/api/v1/resumes", 201, files={"file": (path.name, data)})
    return str(made["resume_id"])


def results_table(results: list[dict[str, Any]], outcomes: dict[str, str]) -> Table:
    table = Table("job", "task", "result")
    for r in results:
        if r["http_status"] == 201:
            table.add_row(r["job_url"], r["task_id"], outcomes.get(r["task_id"], "QUEUED"))
        else:
            table.add_row(r["job_url"], r.get("existing_task_id") or "-", f"refused: {r['message']}")
    return table


def configure_tasks(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("--state", help="only these states, comma-separated")
    parser.add_argument("--limit", type=int, default=50)


def run_tasks(args: argparse.Namespace) -> int:
    params = {"limit": str(args.limit), **({"state": args.state} if args.state else {})}
    with Client(api_client.api_url(args.api)) as client:
        page = client.ok("GET", "/api/v1/tasks", params=params)
    table = Table("task", "state", "platform", "job", "submitted")
    for t in page["tasks"]:
        table.add_row(t["task_id"], t["outcome"] or t["state"], t["platform"], t["job_url"], t["created_at"][:19])
    Console().print(table)
    return 0


def configure_task(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("task_id", metavar="ID")


def run_task(args: argparse.Namespace) -> int:
    with Client(api_client.api_url(args.api)) as client:
        task = client.ok("GET", f"/api/v1/tasks/{args.task_id}")
    console = Console()
    console.print(f"{task['job_url']}  [bold]{task['state']}[/bold]  trace {task['trace_id'] or '-'}")
    if link := task.get("trace_url") or opscmds.trace_link(task["trace_id"]):
        console.print(f"trace: {link}")
    table = Table("when", "event", "from", "to", "applied")
    for e in task["timeline"]:
        table.add_row(e["at"][:23], e["type"], e["from"] or "", e["to"] or "", "yes" if e["applied"] else "no")
    console.print(table)
    if task["receipt"]:
        console.print(f"receipt: {task['receipt']['receipt_uri']}")
    if task.get("review"):
        console.print(review_table(task["review"]))
        console.print(f"approve with: autoapply approve {args.task_id} [--set LABEL=VALUE ...]")
    return 0


def configure_profile(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("action", choices=("import",))
    parser.add_argument("file", type=Path, metavar="FILE", help="a PROFILE YAML file")


def run_profile(args: argparse.Namespace) -> int:
    profile = profile_file.load(args.file)  # errors by key and line, before anything is sent
    with Client(api_client.api_url(args.api)) as client:
        client.ok("PUT", "/api/v1/profile", 200, 201, json=profile.model_dump(mode="json"))
    print(f"profile imported: {len(profile.answers)} answers in the answer bank")
    return 0


def configure_approve(parser: argparse.ArgumentParser) -> None:
    add_api(parser)
    parser.add_argument("task_id", metavar="TASK_ID")
    parser.add_argument(
        "--set",
        dest="corrections",
        action="append",
        default=[],
        metavar="LABEL=VALUE",
        help="correct a field, or answer an open question, by its label (repeatable)",
    )


def corrections(pairs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        label, sep, value = pair.partition("=")
        if not sep or not label.strip():
            raise ValueError(f"--set takes LABEL=VALUE, not {pair!r}")
        found[label.strip()] = value
    return found


def run_approve(args: argparse.Namespace) -> int:
    body = {"corrections": corrections(args.corrections)}
    with Client(api_client.api_url(args.api)) as client:
        answer = client.request("POST", f"/api/v1/tasks/{args.task_id}/approve", json=body)
    if answer.status_code != 202:
        labels = (
            answer.json().get("labels")
            if answer.headers.get("content-type", "").startswith("application/json")
            else None
        )
        raise ApiError(api_client.describe(answer) + (f": {', '.join(labels)}" if labels else ""))
    print(f"approved {args.task_id}: the executor submits now")
    return 0


def review_table(review: dict[str, Any]) -> Table:
    table = Table(
        "field", "value", "from", title="waiting for your approval" + (" (dry run)" if review["dry_run"] else "")
    )
    for field in review["fields"]:
        table.add_row(field["label"], field["value"], field["provenance"])
    for question in review["unresolved"]:
        options = f" ({' / '.join(question['options'])})" if question["options"] else ""
        table.add_row(question["label"], f"[bold red]unanswered[/bold red]{options}", "-")
    return table
