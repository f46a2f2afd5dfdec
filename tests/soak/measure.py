"""Where the soak's time goes: CPU seconds per part of the stack, browsers at work at once, each
task's seconds from queued to its browser, to its submission and to settling, and how often the
busiest consumers delivered a message (a redelivery is work done again)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from autoapply.local.probe import get_json
from autoapply.local.procs import PidRecord

# A sample this often: a process killed between two samples loses at most this much of its count.
SAMPLE_EVERY_S = 5.0
# The consumers whose deliveries say most about the apply path.
CONSUMERS = ("provisioner-queued-normal", "executor-profile-ready", "executor-resumed", "provisioner-waits")


@dataclass
class Sampler:
    """CPU seconds (user + system) of every process of the stack, by part, sampled in a thread."""

    run_dir: Path
    browsers: Path
    cpu: dict[tuple[int, float], tuple[str, float]] = field(default_factory=dict)
    at_once: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            try:
                self.sample()
            except (OSError, psutil.Error):
                continue

    def sample(self) -> None:
        marker = str(self.browsers) + "/"
        seen: set[int] = set()
        browsers = 0
        for proc in psutil.process_iter(["cmdline"]):
            args = proc.info["cmdline"] or []
            if any(marker in a for a in args):
                browsers += _is_browser(args)
                self._note(proc, "chromium")
                seen.add(proc.pid)
        for pid_file in self.run_dir.glob("*.pid"):
            self._note_tree(pid_file, seen)
        self.at_once.append(browsers)

    def _note_tree(self, pid_file: Path, seen: set[int]) -> None:
        try:
            record = PidRecord.read(pid_file)
            if record is None:
                return
            root = psutil.Process(record.pid)
            family = [root, *root.children(recursive=True)]
        except (ValueError, psutil.Error):
            return
        part = record.name.rsplit("-", 1)[0] if record.kind == "service" else record.name.split("-")[0]
        for proc in family:
            if proc.pid not in seen:
                self._note(proc, part)

    def _note(self, proc: psutil.Process, part: str) -> None:
        try:
            times = proc.cpu_times()
            self.cpu[(proc.pid, proc.create_time())] = (part, times.user + times.system)
        except psutil.Error:
            pass

    def by_part(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for part, seconds in self.cpu.values():
            total[part] = total.get(part, 0.0) + seconds
        return {part: round(seconds, 1) for part, seconds in sorted(total.items(), key=lambda kv: -kv[1])}


def _is_browser(args: list[str]) -> bool:
    """The browser's own process: not a renderer, zygote, utility or crash handler of it."""
    return Path(args[0]).name == "chromium" and not any(a.startswith("--type=") for a in args)


async def timings(dsn: str, task_ids: list[str]) -> dict[str, Any]:
    """Median, 90th percentile and most of each task's seconds from queued, by intake's read model."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        row = await conn.fetchrow(_TIMINGS, task_ids)
    finally:
        await conn.close()
    return {key: (round(float(value), 1) if value is not None else None) for key, value in dict(row).items()}


_SPANS = {
    "ready": "r - q",
    "submitted": "s - q",
    "settled": "e - q",
    "queued_to_provisioning": "p - q",
    "browser_to_submitted": "s - r",
    "submitted_to_outcome": "o - s",
    "browser_to_released": "x - r",
}
_TIMINGS = (
    "WITH t AS (SELECT task_id, "
    "min(occurred_at) FILTER (WHERE event_type = 'task.queued') AS q, "
    "min(occurred_at) FILTER (WHERE event_type = 'task.progress' AND to_state = 'PROVISIONING') AS p, "
    "min(occurred_at) FILTER (WHERE event_type IN ('application.completed', 'application.failed')) AS o, "
    "min(occurred_at) FILTER (WHERE event_type = 'profile.released') AS x, "
    "min(occurred_at) FILTER (WHERE event_type = 'profile.ready') AS r, "
    "min(occurred_at) FILTER (WHERE event_type = 'application.submitted') AS s, "
    "min(occurred_at) FILTER (WHERE event_type IN ('application.completed', 'application.failed', 'task.failed', "
    "'profile.failed', 'human.timeout', 'task.cancelled', 'human.needed', 'captcha.detected')) AS e "
    "FROM intake.task_events WHERE task_id = ANY($1::uuid[]) GROUP BY task_id) SELECT "
    + ", ".join(
        f"percentile_cont({p}) WITHIN GROUP (ORDER BY extract(epoch FROM {span})) AS {name}_{label}"
        for name, span in _SPANS.items()
        for p, label in ((0.5, "p50"), (0.9, "p90"))
    )
    + ", count(r) AS reached_browser, count(s) AS reached_submit, count(o) AS reached_outcome FROM t"
)


async def unsettled(dsn: str, task_ids: list[str], settled_states: set[str]) -> dict[str, dict[str, Any]]:
    """Where the tasks that have not settled are: by state and the last thing said of them (the
    provisioner's waiting reason without its time), how many, and how long since (median, most)."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await conn.fetch(_UNSETTLED, task_ids, list(settled_states))
    finally:
        await conn.close()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        found[f"{row['state']} / {row['last']}"] = {
            "tasks": row["n"],
            "s_since_p50": round(float(row["p50"]), 1),
            "s_since_max": round(float(row["most"]), 1),
        }
    return found


_UNSETTLED = (
    "WITH last AS (SELECT DISTINCT ON (e.task_id) e.task_id, e.event_type || coalesce(': ' || "
    "split_part(e.data->>'detail', ', until', 1), '') AS last, e.occurred_at FROM intake.task_events e "
    "WHERE e.task_id = ANY($1::uuid[]) ORDER BY e.task_id, e.occurred_at DESC, e.arrival DESC) "
    "SELECT t.state, last.last, count(*) AS n, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - last.occurred_at)) AS p50, "
    "max(extract(epoch FROM now() - last.occurred_at)) AS most "
    "FROM intake.tasks t JOIN last USING (task_id) WHERE t.state <> ALL($2::text[]) GROUP BY 1, 2 ORDER BY 3 DESC"
)


_BACKLOG = ("num_pending", "num_ack_pending", "num_redelivered")


@dataclass
class Curve:
    """Once a minute: [seconds into the run, tasks settled, tasks that had a browser], also printed as
    the run goes (the final line comes only at the end)."""

    began: float
    points: list[list[int]] = field(default_factory=list)

    def note(self, found: dict[str, str], settled_states: set[str]) -> None:
        now = round(time.monotonic() - self.began)
        if self.points and now - self.points[-1][0] < 60:
            return
        settled = sum(1 for state in found.values() if state in settled_states)
        had_browser = sum(1 for state in found.values() if state not in _BEFORE_BROWSER)
        self.points.append([now, settled, had_browser])
        print(f"soak at {now} s: {settled} settled, {had_browser} had a browser, {dict(Counter(found.values()))}")


_BEFORE_BROWSER = {"CREATED", "QUEUED", "PROVISIONING", "RETRYING"}


def backlog(monitor_url: str) -> dict[str, dict[str, int]]:
    """Every durable consumer with something not yet done: what it has yet to get, holds unacked,
    got again."""
    status, body = get_json(monitor_url + "/jsz?streams=true&consumers=true")
    if status != 200 or not isinstance(body, dict):
        return {}
    found: dict[str, dict[str, int]] = {}
    for account in body.get("account_details") or []:
        for stream in account.get("stream_detail") or []:
            for consumer in stream.get("consumer_detail") or []:
                counts = {key: int(consumer.get(key, 0)) for key in _BACKLOG}
                if any(counts.values()):
                    found[consumer["name"]] = counts
    return found


def deliveries(monitor_url: str) -> dict[str, int]:
    """Deliveries so far of the busiest consumers (a message delivered twice counts twice)."""
    status, body = get_json(monitor_url + "/jsz?streams=true&consumers=true")
    if status != 200 or not isinstance(body, dict):
        return {}
    found: dict[str, int] = {}
    for account in body.get("account_details") or []:
        for stream in account.get("stream_detail") or []:
            for consumer in stream.get("consumer_detail") or []:
                if consumer["name"] in CONSUMERS:
                    found[consumer["name"]] = int(consumer.get("delivered", {}).get("consumer_seq", 0))
    return found


async def write_timeline(dsn: str, task_ids: list[str], path: Path) -> None:
    """Each task's events in order, seconds from its queuing: where a task's time went, read after."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await conn.fetch(_TIMELINE, task_ids)
    finally:
        await conn.close()
    lines: list[str] = []
    for row in rows:
        if row["first"]:
            lines.append(f"--- {row['task_id']} {row['platform']}")
        state = row["to_state"] or ""
        lines.append(f"{row['s']:8.1f} {row['at']:%H:%M:%S} {row['event_type']:26} {state:22} {row['d']}")
    path.write_text("\n".join(lines) + "\n")


_TIMELINE = (
    "SELECT e.task_id::text, t.platform, e.event_type, e.to_state, e.occurred_at AS at, "
    "left(coalesce(e.data->>'detail', e.data->>'reason', ''), 70) AS d, "
    "extract(epoch FROM e.occurred_at - min(e.occurred_at) OVER w)::float AS s, "
    "row_number() OVER (w ORDER BY e.occurred_at, e.arrival) = 1 AS first "
    "FROM intake.task_events e JOIN intake.tasks t USING (task_id) WHERE e.task_id = ANY($1::uuid[]) "
    "WINDOW w AS (PARTITION BY e.task_id) ORDER BY e.task_id, e.occurred_at, e.arrival"
)
