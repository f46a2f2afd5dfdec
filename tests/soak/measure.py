"""Where the soak's time goes: CPU seconds per part of the stack, browsers at work at once, each
task's seconds from queued to its browser, to its submission and to settling, and how often the
busiest consumers delivered a message (a redelivery is work done again)."""

from __future__ import annotations

import threading
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


_SPANS = {"ready": "r - q", "submitted": "s - q", "settled": "e - q", "browser_to_submitted": "s - r"}
_TIMINGS = (
    "WITH t AS (SELECT task_id, "
    "min(occurred_at) FILTER (WHERE event_type = 'task.queued') AS q, "
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
    + ", count(r) AS reached_browser, count(s) AS reached_submit FROM t"
)


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
