"""`autoapply demo`: the whole stack and the sandbox, a demo user, a dozen applications, one table.

It starts what is not running (`autoapply up --sandbox`), signs in a demo user (created once, its
password kept in the stack's folder), uploads the sample resume and profile shipped in examples/,
applies to sandbox jobs across every platform through intake's API, follows each task live and ends
with a table (or one JSON object with --json). A second run finds its tasks already there (intake
refuses a second task for the same job) and reports them: it never applies twice.

Decided: `--unattended` reports once every task has ended or waits for a person, or when no task
changed state for 240 s (15 minutes at most), and always before a task waiting for a person would
reach takeover's timeout (autoapply/demo_wait.py, docs/demo.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from autoapply import api_client, demo_model, demo_wait, profile_file, watch
from autoapply.api_client import Client
from autoapply.demo_wait import WAITING
from autoapply.local.procs import StartError
from autoapply.local.services import DATABASE
from autoapply.stack import Stack, default_home

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO_PROFILE = EXAMPLES / "profile.yaml"
DEMO_EMAIL = "demo.applicant@example.org"
DEMO_NAME = "Maren Okafor"
ACCOUNT_FILE = "demo-account.json"
PLATFORMS = ("greenhouse", "lever", "ashby", "workday", "linkedin", "careers")
# `up` once more when the first start outlasted its minute (a busy machine).
START_TRIES = 2


@dataclass
class Result:
    job: str
    platform: str
    task_id: str | None
    outcome: str
    seconds: float | None = None
    provenance: dict[str, int] = field(default_factory=dict)
    tokens: int = 0
    why: str = ""
    receipt: str | None = None
    trace_id: str | None = None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", type=Path, default=None, help="the stack's folder (default: ./var/stack)")
    parser.add_argument(
        "--unattended",
        action="store_true",
        help="do not wait for a person: report tasks that need one as waiting",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object with a `results` list")
    parser.add_argument("--per-platform", type=int, default=2, help="plain jobs per platform (default 2)")
    parser.add_argument(
        "--platforms",
        default=",".join(PLATFORMS),
        help=f"comma-separated, of {', '.join(PLATFORMS)} (default: all)",
    )


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=args.json)
    model = demo_model.configure(os.environ)  # before `up`: the services inherit the environment
    stack = Stack(Path(args.home).absolute() if args.home else default_home())
    if not _up(stack, console):
        return 1
    state = stack.load_state()
    api = f"http://127.0.0.1:{state['ports']['intake-1.http']}"
    sandbox = f"http://127.0.0.1:{state['ports']['sandbox']}"
    operator = f"http://127.0.0.1:{state['ports']['takeover-1.http']}"
    console.print(f"stack up: API {api}  operator page {operator}/  sandbox {sandbox}/")
    if model:
        console.print(model)
    console.print(f"job seeker's page: {api}/app (sign in as {DEMO_EMAIL}; password in {stack.home / ACCOUNT_FILE})")
    platforms = tuple(p.strip() for p in args.platforms.split(",") if p.strip())
    unknown = sorted(set(platforms) - set(PLATFORMS))
    if unknown:
        console.print(f"autoapply demo: no sandbox platform {', '.join(unknown)}; pick from {', '.join(PLATFORMS)}")
        return 2
    jobs = pick_jobs(sandbox, args.per_platform, platforms)
    with Client(api) as client:
        _sign_in(client, stack.home / ACCOUNT_FILE)
        # A dozen applications in a day is more than the free plan allows (5): the demo user is pro.
        asyncio.run(_make_pro(stack.postgres(state).dsn(DATABASE)))
        resume_id = _prepare_user(client, sandbox, allow_llm=model is not None)
        body = {"job_urls": [j["url"] for j in jobs], "resume_id": resume_id}
        answers = client.ok("POST", "/api/v1/tasks/batch", json=body)
        tasks = _task_ids(answers["results"])
        new = [r for r in answers["results"] if r["http_status"] == 201]
        console.print(f"{len(new)} new applications, {len(tasks) - len(new)} already there from an earlier run")
        if not args.unattended and tasks:
            console.print(f"tasks that need a person wait for you on the operator page: {operator}/")
        asyncio.run(_follow(client, tasks, console, args.unattended))
        results = [_result(client, job, tasks.get(job["url"])) for job in jobs]
    if args.json:
        pages = {"operator_page": operator + "/", "seeker_page": api + "/app", "api": api}
        print(json.dumps({"results": [asdict(r) for r in results], **pages}))
    else:
        console.print(results_table(results))
        console.print(f"receipts: autoapply task TASK_ID   operator page: {operator}/")
    return 0 if all(r.outcome in ("COMPLETED", "WAITING") for r in results) else 1


def _up(stack: Stack, console: Console) -> bool:
    """The stack and the sandbox, started where they do not run. A first start on a busy machine can
    outlast `up`'s minute (every service importing at once); the parts that came up stay, and one
    more `up` waits for the rest, started on their own."""
    for attempt in range(1, START_TRIES + 1):
        try:
            with stack.locked():
                stack.up(sandbox=True)
            return True
        except StartError as exc:
            if attempt == START_TRIES:
                console.print(f"autoapply demo: the stack did not start: {exc}")
            else:
                console.print("the stack is slow to start on this machine; trying once more")
    return False


def pick_jobs(sandbox: str, per_platform: int, platforms: tuple[str, ...] = PLATFORMS) -> list[dict[str, Any]]:
    """Plain jobs on every platform, plus the ones that show the waits: a security code, a CAPTCHA."""
    listed = httpx.get(f"{sandbox}/_admin/jobs", timeout=10).json()["jobs"]
    by_site: dict[str, list[dict[str, Any]]] = {}
    for job in listed:
        by_site.setdefault(job["site"], []).append(job)
    chosen: list[dict[str, Any]] = []
    for site in platforms:
        plain = [j for j in by_site.get(site, []) if not _special(j)]
        if site == "workday" and plain:  # one tenant first: the second job uses the account the first made
            tenant = plain[0]["org"]
            plain.sort(key=lambda j: j["org"] != tenant)
        chosen += plain[:per_platform]
    if "greenhouse" in platforms:
        chosen += [j for j in by_site.get("greenhouse", []) if j["flags"].get("email_verify")][:1]
    if "lever" in platforms:
        chosen += [j for j in by_site.get("lever", []) if j["flags"].get("captcha")][:1]
    return chosen


def _special(job: dict[str, Any]) -> bool:
    flags = job["flags"]
    return bool(flags.get("captcha") or flags.get("closed") or flags.get("applied") or flags.get("daily_limit")) or (
        job["site"] == "greenhouse" and bool(flags.get("email_verify"))
    )


def _sign_in(client: Client, account_file: Path) -> None:
    """The demo user, created on the first run; its password stays in the stack's folder (0600)."""
    register = None
    if account_file.exists():
        password = json.loads(account_file.read_text())["password"]
    else:
        password, register = secrets.token_urlsafe(18), DEMO_NAME
        account_file.write_text(json.dumps({"email": DEMO_EMAIL, "password": password}))
        os.chmod(account_file, 0o600)
    api_client.sign_in(client.http, client.api, DEMO_EMAIL, password, register, exists_ok=True)


async def _make_pro(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE intake.users SET plan = 'pro' WHERE email = $1", DEMO_EMAIL)
    finally:
        await conn.close()


def _prepare_user(client: Client, sandbox: str, allow_llm: bool = False) -> str:
    """The profile, the sandbox's mailbox and a resume for the demo user; returns the resume's id.
    With a model configured the user allows its drafts (and without one, not: no stale consent)."""
    profile = profile_file.load(DEMO_PROFILE)
    consent = profile.preferences.model_copy(update={"allow_llm": allow_llm})
    profile = profile.model_copy(update={"preferences": consent})
    client.ok("PUT", "/api/v1/profile", 200, 201, json=profile.model_dump(mode="json"))
    # The sandbox's job sites mail their codes and links to its own mailbox: the demo user reads it.
    client.ok("PUT", "/api/v1/mailbox/sandbox", json={"url": sandbox, "address": profile.email})
    _linkedin_account(client, sandbox, profile.email, profile.full_name)
    resumes = client.ok("GET", "/api/v1/resumes").get("resumes", [])
    if resumes:
        return str(resumes[0]["resume_id"])
    resume = EXAMPLES / "resume.pdf"
    made = client.ok("POST", "/api/v1/resumes", 201, files={"file": (resume.name, resume.read_bytes())})
    return str(made["resume_id"])


def _linkedin_account(client: Client, sandbox: str, email: str, name: str) -> None:
    """The demo user's LinkedIn account (on the sandbox, which stands for the outside world), stored
    at intake as a user stores theirs: the executor signs in at LinkedIn's wall with it."""
    password = secrets.token_urlsafe(18)
    member = {"site": "linkedin", "email": email, "password": password, "name": name}
    httpx.post(f"{sandbox}/_admin/accounts", json=member, timeout=10).raise_for_status()
    account = {"platform": "linkedin", "username": email, "password": password}
    client.ok("PUT", "/api/v1/credentials", 200, 201, json=account)


def _task_ids(results: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for r in results:
        task_id = r.get("task_id") or r.get("existing_task_id")
        if task_id:
            found[r["job_url"]] = str(task_id)
    return found


async def _follow(client: Client, tasks: dict[str, str], console: Console, unattended: bool) -> None:
    listed = [{"task_id": tid, "job_url": url} for url, tid in tasks.items()]
    follow = watch.follow_all(client.api, client.access_token(), listed, console)
    if not unattended:
        await follow
        return
    runner = asyncio.ensure_future(follow)
    began = time.monotonic()
    why = await demo_wait.wait_unattended(client, list(tasks.values()), runner)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    console.print(f"reporting after {time.monotonic() - began:.0f} s: {why}")


def _result(client: Client, job: dict[str, Any], task_id: str | None) -> Result:
    if task_id is None:
        return Result(job["title"], job["site"], None, "REFUSED")
    task = client.ok("GET", f"/api/v1/tasks/{task_id}")
    outcome = task["outcome"] or task["state"]
    why = ""
    if outcome in WAITING:
        why = _waiting_reason(task["timeline"])
        outcome = "WAITING"
    elif outcome == "FAILED":
        failed = next((e for e in reversed(task["timeline"]) if e["type"].endswith("failed")), None)
        why = str((failed or {}).get("data", {}).get("reason", ""))
    submitted = next((e for e in task["timeline"] if e["type"] == "application.submitted"), None)
    counts = Counter(str(f.get("provenance")) for f in (submitted or {}).get("data", {}).get("fields", []))
    return Result(
        job=f"{job['title']} at {job['company']}",
        platform=job["site"],
        task_id=task_id,
        outcome=outcome,
        seconds=_seconds(task),
        provenance=dict(counts),
        tokens=int(task.get("tokens") or 0),  # also what a task that waits for a person spent
        why=why,
        receipt=(task.get("receipt") or {}).get("receipt_uri"),
        trace_id=task.get("trace_id"),
    )


def _waiting_reason(timeline: list[dict[str, Any]]) -> str:
    for e in reversed(timeline):
        if e["type"] == "captcha.detected":
            return "a CAPTCHA"
        if e["type"] == "human.needed":
            questions = e["data"].get("questions") or []
            return "a question: " + "; ".join(questions) if questions else str(e["data"].get("reason", ""))
        if e["type"] == "task.review_needed":
            return "your review"
    return ""


def _seconds(task: dict[str, Any]) -> float | None:
    try:
        began = datetime.fromisoformat(task["created_at"])
        ended = datetime.fromisoformat(task["updated_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return round((ended - began).total_seconds(), 1)


def results_table(results: list[Result]) -> Table:
    table = Table("job", "platform", "outcome", "seconds", "fields by provenance", "tokens", "task (receipt, trace)")
    for r in results:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(r.provenance.items())) or "-"
        outcome = f"{r.outcome} ({r.why})" if r.why else r.outcome
        seconds = f"{r.seconds:.1f}" if r.seconds is not None else "-"
        table.add_row(r.job, r.platform, outcome, seconds, counts, str(r.tokens), r.task_id or "-")
    return table
