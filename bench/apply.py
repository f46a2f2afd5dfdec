"""Applications end to end: sandbox jobs handed to intake become submitted applications through the
five services, at concurrency 1, 4 and 8, with a warm profile: each account applied once before the
run (its browser profile exists), and once more at the start of each level, unmeasured, so its
browser lingers for the measured tasks (docs/provisioner.md, "Lingering browsers").

    ./dev bench apply [--jobs 4] [--levels 1,4,8] [--platforms greenhouse,lever,ashby] [--quick] [--cluster 3]

With --cluster 3 the nats-server is a three-node JetStream cluster on loopback, every stream and
consumer at three replicas, as `autoapply up --cluster 3` runs it.

Each level keeps `concurrency` tasks in flight (a new one starts when one ends) with the
executor's workers set to it, on as many accounts per platform as run at once; the provisioner's
browser slots are the level's accounts (at least `concurrency`), so each account's browser lingers
between its tasks. Figures: p50 and p95 seconds
from task.queued to application.submitted (the events' own times), applications a minute, CPU
seconds per application (every process of the stack: servers, services, browsers; not the
sandbox, which stands for the outside world), peak memory (the stack's summed RSS) and the
sandbox's duplicate count (two accepted submissions of one person to one job; the sandbox's own
refusal of duplicates is switched off so that one would show). Then one JSON line.
"""

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from autoapply.local import PostgresServer, RedisServer
from autoapply.local.cluster import declare_streams
from bench import _load, _traffic
from bench._report import emit, percentile
from bench._stack import World, start_services, stop_services
from bench.intake import nats_servers
from contracts.envelope import Event
from tests.e2e.stack import Watcher, candidate
from tests.intake.client import User, new_user, relogin
from tests.sandbox.harness import Sandbox, make_pdf, start_sandbox, stop_sandbox

# The known platforms the executor's templates serve and the flow completes today.
PLATFORMS = ("greenhouse", "lever", "ashby")
# Catalog jobs that ask for nothing the profile lacks: not the presets (11 code, 12 CAPTCHA, 13
# closed) nor Greenhouse's embedded boards (8, 10), which are measured apart.
SKIP = {"greenhouse": {8, 10}}
PRESETS = 11
ENDED = ("application.completed", "application.failed", "task.failed", "profile.failed", "human.needed")
# A task is given up on when none of its events came for this long (a loaded machine stretches every
# step, so no fixed total fits), and in any case after the cap.
STALL_S = 240.0
TASK_CAP_S = 1200.0
# The warm-up only has to leave each account's profile behind: a few at once thrash a loaded machine less.
WARM_CONCURRENCY = 3


@dataclass
class Applicant:
    user: User
    jobs: dict[str, list[dict[str, Any]]]  # per platform, the jobs left for this person

    def next_job(self, platform: str) -> dict[str, Any]:
        if not self.jobs[platform]:
            raise SystemExit(f"out of sandbox {platform} jobs for one person: use fewer --jobs or levels")
        return self.jobs[platform].pop(0)


def usable(sandbox: Sandbox, platform: str) -> list[dict[str, Any]]:
    jobs = sandbox.get("/_admin/jobs", site=platform)["jobs"][:PRESETS]
    return [j for i, j in enumerate(jobs) if i not in SKIP.get(platform, set())]


async def applicants(world: World, http: httpx.AsyncClient, count: int, platforms: tuple[str, ...]) -> list[Applicant]:
    jobs = {p: usable(world.sandbox, p) for p in platforms}
    for platform_jobs in jobs.values():
        for job in platform_jobs:  # a second submission must be recorded, to be counted
            world.sandbox.post(f"/_admin/jobs/{job['site']}/{job['job_id']}", {"dedupe": False})
    made = []
    for _ in range(count):
        user = await new_user(http, "Ada Example")
        every = [j for js in jobs.values() for j in js]
        profile = candidate(user.email, every[0])
        profile["answers"] |= {q["label"]: "3" for j in every for q in j["questions"] if q["key"] == "years_skill"}
        assert (await http.put("/api/v1/profile", headers=user.auth, json=profile)).status_code in (200, 201)
        resume = make_pdf("Ada Example - Resume")
        files = {"file": ("Ada_Example_Resume.pdf", resume, "application/pdf")}
        assert (await http.post("/api/v1/resumes", headers=user.auth, files=files)).status_code == 201
        made.append(Applicant(user, {p: list(js) for p, js in jobs.items()}))
    await pro_plan(world.dsn, [a.user.email for a in made])
    return made


async def pro_plan(dsn: str, emails: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:  # the pro plan's 50 tasks a day at the door
        await conn.execute("UPDATE intake.users SET plan = 'pro' WHERE email = ANY($1)", emails)
    finally:
        await conn.close()


@dataclass
class Outcome:
    task_id: UUID | None  # None: intake refused the task
    platform: str
    seconds: float | None  # task.queued to application.submitted; None: not submitted
    ended: str
    browser_s: float | None = None  # task.queued to profile.ready: the wait for a slot and the browser start
    phases: list[tuple[str, float]] = field(default_factory=list)  # seconds up to each event from the one before
    spans: list[tuple[str, float, float]] = field(default_factory=list)  # the same as wall-time spans, to the end


def phase_name(event: Any) -> str:
    """An event as a step of the journey: its type, and for task.progress the state and step it names."""
    if event.TYPE == "task.progress":
        return f"{event.state.value.lower()}:{event.step}"
    return str(event.TYPE)


def phases(events: list[Any]) -> list[tuple[str, float]]:
    """Where a task's seconds went, from task.queued to application.submitted, by the events' own times."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    out: list[tuple[str, float]] = []
    for before, after in itertools.pairwise(ordered):
        out.append((phase_name(after), (after.occurred_at - before.occurred_at).total_seconds()))
        if after.TYPE == "application.submitted":
            break
    return out


def spans(events: list[Any]) -> list[tuple[str, float, float]]:
    """Each step of the journey (named as in phases) as (name, start, end) in wall time, up to the task's
    last event: the verifier's work after application.submitted is the application's too."""
    ordered = sorted(events, key=lambda e: e.occurred_at)
    return [
        (phase_name(after), before.occurred_at.timestamp(), after.occurred_at.timestamp())
        for before, after in itertools.pairwise(ordered)
    ]


async def one(http: httpx.AsyncClient, watcher: Watcher, who: Applicant, platform: str) -> Outcome:
    job = who.next_job(platform)
    made = await http.post("/api/v1/tasks", headers=who.user.auth, json={"job_url": job["url"]})
    if made.status_code == 401:  # a level on a loaded machine can outlast the access token
        await relogin(http, who.user)
        made = await http.post("/api/v1/tasks", headers=who.user.auth, json={"job_url": job["url"]})
    if made.status_code != 201:
        return Outcome(None, platform, None, f"refused by intake: {made.status_code} {made.text[:120]}")
    task_id = UUID(made.json()["task_id"])
    end = await ended(watcher, task_id)
    if end is None or end.TYPE == "human.needed":
        # Nobody will come: the task is cancelled, so its browser and its slot go back for the next task.
        await http.post(f"/api/v1/tasks/{task_id}/cancel", headers=who.user.auth)
    if end is None:
        return Outcome(task_id, platform, None, f"no event for {STALL_S:.0f} s (or {TASK_CAP_S:.0f} s in all)")
    queued = watcher.of(task_id, "task.queued")
    submitted = watcher.of(task_id, "application.submitted")
    ready = watcher.of(task_id, "profile.ready")
    if not (queued and submitted):
        reason = getattr(end, "reason", None)
        return Outcome(task_id, platform, None, f"{end.TYPE} {reason}" if reason else end.TYPE)
    start = queued[0].occurred_at
    browser = (ready[0].occurred_at - start).total_seconds() if ready else None
    seconds = (submitted[0].occurred_at - start).total_seconds()
    events = watcher.of(task_id)
    return Outcome(task_id, platform, seconds, end.TYPE, browser, phases(events), spans(events))


async def ended(watcher: Watcher, task_id: UUID) -> Event | None:
    """The task's first ending event; None when it stalled (no event of it for STALL_S) or ran past the cap."""
    began = last_change = time.monotonic()
    seen = 0
    while time.monotonic() - began < TASK_CAP_S:
        events = watcher.of(task_id)
        for event in events:
            if event.TYPE in ENDED:
                return event
        if len(events) != seen:
            seen, last_change = len(events), time.monotonic()
        elif time.monotonic() - last_change > STALL_S:
            return None
        await asyncio.sleep(0.1)
    return None


async def run_level(
    http: httpx.AsyncClient, watcher: Watcher, people: list[Applicant], work: list[str], c: int
) -> tuple[list[Outcome], float]:
    """One task per entry of `work` (a platform), `c` in flight; an account (person, platform)
    serves one task at a time, as the provisioner's profile lock allows."""
    pending = list(work)
    free = {p: list(range(len(people))) for p in set(work)}
    changed = asyncio.Condition()
    outcomes: list[Outcome] = []

    async def worker() -> None:
        while pending:
            platform = pending.pop(0)
            async with changed:
                await changed.wait_for(lambda p=platform: bool(free[p]))  # type: ignore[misc]
                who = free[platform].pop(0)
            try:
                outcomes.append(await one(http, watcher, people[who], platform))
            finally:
                async with changed:
                    free[platform].append(who)
                    changed.notify_all()

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(c)))
    return outcomes, time.monotonic() - began


def figures(outcomes: list[Outcome], elapsed: float) -> dict[str, Any]:
    seconds = [o.seconds for o in outcomes if o.seconds is not None]
    browser = [o.browser_s for o in outcomes if o.browser_s is not None]
    return {
        "p50_s": round(percentile(seconds, 50), 2) if seconds else None,  # nothing submitted is no figure
        "p95_s": round(percentile(seconds, 95), 2) if seconds else None,
        "browser_p50_s": round(percentile(browser, 50), 2) if browser else None,
        "per_min": round(len(seconds) / elapsed * 60, 1),
        "submitted": len(seconds),
        "tasks": len(outcomes),
        "elapsed_s": round(elapsed, 1),
        "not_submitted": sorted({o.ended for o in outcomes if o.seconds is None}),
        "phases_p50_s": phase_medians([o for o in outcomes if o.seconds is not None]),
    }


def phase_medians(outcomes: list[Outcome]) -> dict[str, float]:
    """Per step of the journey (the event that ends it), the median seconds it took, in journey order."""
    spent: dict[str, list[float]] = {}
    for o in outcomes:
        for name, seconds in o.phases:
            spent.setdefault(name, []).append(seconds)
    return {name: round(percentile(values, 50), 3) for name, values in spent.items()}


def per_app(parts: dict[str, float], outcomes: list[Outcome]) -> dict[str, float]:
    done = sum(1 for o in outcomes if o.seconds is not None)
    return {name: round(cpu / done, 2) for name, cpu in parts.items()} if done else {}


def duplicates(sandbox: Sandbox) -> int:
    seen: dict[tuple[str, str, str], int] = {}
    for s in sandbox.submissions():
        key = (s["site"], s["job_id"], s["email"])
        seen[key] = seen.get(key, 0) + 1
    return sum(n - 1 for n in seen.values() if n > 1)


async def measure(args: argparse.Namespace, world: World) -> dict[str, Any]:
    """Every level that could run, with its figures; a level that could not says why instead."""
    levels = [int(x) for x in args.levels.split(",")]
    platforms = tuple(args.platforms.split(","))
    result: dict[str, Any] = {"concurrency": {}}
    meter = _load.Meter(world.pids)
    totals = {"applications": 0, "cpu_s": 0.0}
    watcher = await Watcher.start(world.nats_url.split(",")[0])  # any node sees every event
    try:
        people = await warm(world, watcher, platforms, max(levels), result)
        for c in levels:
            try:
                result["concurrency"][str(c)] = await level(args, world, watcher, meter, people, c, totals)
            except (AssertionError, OSError, httpx.HTTPError) as exc:  # a level that cannot start is a figure too
                result["concurrency"][str(c)] = {"p50_s": None, "p95_s": None, "per_min": None, "error": _why(exc)}
            print(f"concurrency {c}: {result['concurrency'][str(c)]}", file=sys.stderr, flush=True)
    finally:
        await watcher.close()
    apps = int(totals["applications"])
    result["cpu_s_per_app"] = round(totals["cpu_s"] / apps, 2) if apps else None
    result["peak_rss_mib"] = round(meter.peak_rss / 2**20, 1)
    result["duplicates"] = duplicates(world.sandbox)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["platforms"] = list(platforms)
    result["jobs_per_platform"] = args.jobs
    result["cluster"] = world.replicas
    return result


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


async def level(
    args: argparse.Namespace,
    world: World,
    watcher: Watcher,
    meter: _load.Meter,
    people: list[Applicant],
    c: int,
    totals: dict[str, float],
) -> dict[str, Any]:
    """One level's figures: the services started with concurrency `c`, the jobs run, the services stopped."""
    platforms = tuple(args.platforms.split(","))
    # The level's accounts: as many people per platform as run at once, so each account's tasks
    # come back to back (a person applying to several jobs of one site) and find its browser up.
    # The people with the most jobs left: a person has a few jobs per platform, and each level takes
    # some of them (its warm-up and its share of the work).
    people = sorted(people, key=lambda a: -min(len(a.jobs[p]) for p in platforms))
    people = people[: min(args.jobs, -(-c // len(platforms)), len(people))]
    await start_services(world, c, browsers=len(people) * len(platforms))
    try:
        traffic_before = await _traffic.reading(world.dsn, world.redis_url, world.nats_monitor_url)
        async with httpx.AsyncClient(base_url=world.intake_url, timeout=60) as http:
            for who in people:  # access tokens last 15 minutes; a whole run lasts longer
                await relogin(http, who.user)
            # Unmeasured: each account of the level applies once, so its browser lingers warm.
            warmed, _ = await run_level(http, watcher, people, [p for p in platforms for _ in people], c)
            before, parts_before = meter.cpu_s(), _load.cpu_by_part(world.parts())
            load_before = os.getloadavg()[0]
            ledger = meter.ledger = _load.Ledger(world.parts)
            ledger.start()
            async with meter.sampling():
                work = [platforms[n % len(platforms)] for n in range(args.jobs * len(platforms))]
                outcomes, elapsed = await run_level(http, watcher, people, work, c)
            spent = meter.cpu_s() - before  # before the services stop and take their figures along
            parts = _load.spent(parts_before, _load.cpu_by_part(world.parts()))
            ledger.sample()
    finally:
        meter.ledger = None
        stop_services(world)
    # Read after the stop: a PostgreSQL backend reports its transactions when it is idle or ends.
    traffic = await _traffic.reading(world.dsn, world.redis_url, world.nats_monitor_url)
    done = sum(1 for o in outcomes if o.seconds is not None)
    totals["applications"] += done
    totals["cpu_s"] += spent
    return figures(outcomes, elapsed) | {
        **warm_figures(watcher, warmed, outcomes),
        "cpu_s_per_app": round(spent / done, 2) if done else None,
        "cpu_s_per_app_by_part": per_app(parts, outcomes),
        "cpu_s_per_app_by_process": per_app(ledger.spent(), outcomes),
        **({"cpu_s_per_app_by_phase": cpu_by_phase(ledger, outcomes)} if c == 1 else {}),
        "per_app": _traffic.per_app(traffic_before, traffic, done) | {"events": events_per_app(watcher, outcomes)},
        "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def warm_figures(watcher: Watcher, warmed: list[Outcome], outcomes: list[Outcome]) -> dict[str, Any]:
    """How many measured tasks got a browser already running (one an earlier task of the account
    used: the same DevTools URL, which names the browser's launch), and their p50; the level's
    warm-up pass, which started those browsers, as `level_warmup`."""
    first_ready: dict[str, datetime] = {}
    for o in [*warmed, *outcomes]:
        for ready in watcher.of(o.task_id, "profile.ready") if o.task_id else []:
            url = str(getattr(ready, "ws_url", ""))
            first_ready[url] = min(first_ready.get(url, ready.occurred_at), ready.occurred_at)
    warm = [o for o in outcomes if o.seconds is not None and _reused(watcher, o, first_ready)]
    seconds = [o.seconds for o in warm if o.seconds is not None]
    return {
        "warm_browser": len(warm),
        "warm_p50_s": round(percentile(seconds, 50), 2) if seconds else None,
        "level_warmup": {k: v for k, v in figures(warmed, 1.0).items() if k in ("p50_s", "browser_p50_s", "submitted")},
    }


def _reused(watcher: Watcher, o: Outcome, first_ready: dict[str, datetime]) -> bool:
    readies = watcher.of(o.task_id, "profile.ready") if o.task_id else []
    return bool(readies) and first_ready[str(getattr(readies[0], "ws_url", ""))] < readies[0].occurred_at


def cpu_by_phase(ledger: _load.Ledger, outcomes: list[Outcome]) -> dict[str, float]:
    """The stack's CPU per step of the journey, per submitted application; `between` is what ran while no
    submitted task was in a step (idle services, failed tasks)."""
    done = [o for o in outcomes if o.seconds is not None]
    phases_ = _load.by_phase(ledger.series, [s for o in done for s in o.spans])
    total = sum(ledger.spent().values())
    return per_app(phases_ | {"between": total - sum(phases_.values())}, outcomes)


def events_per_app(watcher: Watcher, outcomes: list[Outcome]) -> float | None:
    """Events on the bus per submitted application, from task.queued to its end (the verifier's too)."""
    done = [o for o in outcomes if o.seconds is not None]
    return round(sum(len(watcher.of(o.task_id)) for o in done if o.task_id) / len(done), 1) if done else None


async def warm(
    world: World, watcher: Watcher, platforms: tuple[str, ...], most: int, result: dict[str, Any]
) -> list[Applicant]:
    """Enough people for `most` accounts at once; each account applies once, so its profile exists.
    A warm-up task that does not end well leaves its account's profile behind all the same."""
    count = -(-most // len(platforms)) + 1  # one more than any level needs: the levels share their jobs
    await start_services(world, WARM_CONCURRENCY)
    try:
        async with httpx.AsyncClient(base_url=world.intake_url, timeout=60) as http:
            people = await applicants(world, http, count, platforms)
            work = [p for p in platforms for _ in people]
            outcomes, elapsed = await run_level(http, watcher, people, work, WARM_CONCURRENCY)
        result["warmup"] = figures(outcomes, elapsed)
        print(f"warm-up: {result['warmup']}", file=sys.stderr, flush=True)
    finally:
        stop_services(world)
    return people


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    sandbox = start_sandbox(folder / "sandbox")
    try:
        with (
            nats_servers(folder, args.cluster) as nodes,
            RedisServer(folder / "redis") as redis,
            PostgresServer(folder / "pg", settings={"fsync": "off"}) as pg,
        ):
            urls = [node.url for node in nodes]
            if args.cluster > 1:  # as `up --cluster` does: the streams at R3 before five services race for them
                await asyncio.to_thread(declare_streams, urls, args.cluster, time.monotonic() + 120)
            servers = [p for p in (*(n.pid for n in nodes), redis.pid, pg.pid) if p is not None]
            dsn = pg.ensure_database("bench_apply")
            world = World(
                folder, sandbox, ",".join(urls), nodes[0].monitor_url, dsn, redis, servers, replicas=args.cluster
            )
            try:
                return await measure(args, world)
            finally:
                stop_services(world)
    finally:
        sandbox.client.close()
        stop_sandbox(sandbox.proc)


def table(figures_: dict[str, Any]) -> str:
    rows = [f"{'concurrency':>11} {'p50 s':>7} {'p95 s':>7} {'apps/min':>9} {'submitted':>10} {'elapsed s':>10}"]
    for c, f in figures_["concurrency"].items():
        if "error" in f:
            rows.append(f"{c:>11} not measured: {f['error']}")
            continue
        rows.append(
            f"{c:>11} {f['p50_s']:>7} {f['p95_s']:>7} {f['per_min']:>9} "
            f"{f['submitted']:>4}/{f['tasks']:<5} {f['elapsed_s']:>10}"
        )
    rows.append(
        f"cpu s/app {figures_['cpu_s_per_app']}  peak rss {figures_['peak_rss_mib']} MiB  "
        f"duplicates {figures_['duplicates']}  load average {figures_['load_average_1m']}"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4, help="measured jobs per platform and level")
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--platforms", default=",".join(PLATFORMS))
    parser.add_argument("--quick", action="store_true", help="a smoke test: one job per platform, levels 1 and 2")
    parser.add_argument("--cluster", type=int, default=1, choices=(1, 3, 5), help="nats-server nodes (default 1)")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.levels = 1, "1,2"
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as folder:
        os.chmod(folder, 0o755)  # PostgreSQL runs as its own user and must reach its data folder
        result = asyncio.run(run(args, Path(folder)))
    print(table(result))
    emit(result)


if __name__ == "__main__":
    main()
