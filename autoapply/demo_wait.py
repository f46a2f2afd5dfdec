"""How long an unattended demo waits before it reports (docs/demo.md, "When --unattended reports").

It reports as soon as every task has ended or waits for a person. Otherwise it waits while the
automation moves: the wait starts again whenever a task changes state (a busy machine is slow, not
stuck), up to a cap. But it never waits past a person's time: a task waiting for a person is failed
by takeover when nobody comes within `AUTOAPPLY_HUMAN_TIMEOUT_S`, and the demo, which came to say it
waits, must report it as waiting. So it reports REPORT_BEFORE_S before the first such wait ends.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoapply.api_client import Client
from autoapply.watch import ENDED
from services.takeover.settings import TakeoverSettings

# States in which a task waits for someone: a person (operator or user), or the user's review.
WAITING = frozenset({"NEED_CAPTCHA", "NEED_HUMAN", "HUMAN_TAKEOVER", "NEED_REVIEW"})
# The events that start a person's wait (takeover's clock starts as it opens the intervention).
WAIT_EVENTS = ("captcha.detected", "human.needed", "email.not_found")
# How long the demo waits for the automation to move before it reports what it has.
QUIET_S = 240.0
CAP_S = 900.0
# Reading every task and printing the table takes a few seconds on a loaded machine: the report
# comes this long before the first person's wait would end.
REPORT_BEFORE_S = 30.0
POLL_S = 2.0  # each poll reads every task with its timeline from intake: not every second


def person_timeout_s(environ: Mapping[str, str] = os.environ) -> float:
    """Takeover's wait for a person, as the stack's takeover reads it (the services inherit it)."""
    raw = environ.get("AUTOAPPLY_HUMAN_TIMEOUT_S")
    return float(raw) if raw else float(TakeoverSettings.model_fields["human_timeout_s"].default)


def settled(state: str) -> bool:
    return state in ENDED or state in WAITING or state == "CLEANUP"


def waits_since(task: dict[str, Any]) -> float | None:
    """When (epoch seconds) the task began to wait for a person; None when it does not wait for one."""
    if task["state"] not in WAITING:
        return None
    for e in reversed(task.get("timeline") or []):
        if e["type"] in WAIT_EVENTS and e.get("at"):
            return datetime.fromisoformat(str(e["at"])).timestamp()
    return None


@dataclass
class Clock:
    """The unattended wait's three ends: quiet too long, the cap, and a person's wait running out."""

    timeout_s: float
    began: float  # time.time() at the start
    quiet_until: float = 0.0
    person_until: float = float("inf")
    states: tuple[str, ...] = ()

    def look(self, tasks: list[dict[str, Any]], now: float) -> str | None:
        """Why to report now, or None to go on waiting."""
        states = tuple(str(t["state"]) for t in tasks)
        if states != self.states or not self.quiet_until:
            self.states, self.quiet_until = states, now + QUIET_S
        starts = [s for s in (waits_since(t) for t in tasks) if s is not None]
        self.person_until = min(starts, default=float("inf")) + self.timeout_s - REPORT_BEFORE_S
        if all(settled(s) for s in states):
            return "settled"
        if now >= self.person_until:
            return "a person's wait would end"
        if now >= self.quiet_until:
            return f"no task moved for {QUIET_S:.0f} s"
        if now >= self.began + CAP_S:
            return f"the {CAP_S:.0f} s cap"
        return None


async def wait_unattended(client: Client, task_ids: list[str], runner: asyncio.Future[Any]) -> str:
    """Polls the tasks until one of the clock's ends (or the live view ended); returns why it stopped."""
    clock = Clock(person_timeout_s(), time.time())
    while not runner.done():
        tasks = [client.ok("GET", f"/api/v1/tasks/{tid}") for tid in task_ids]
        why = clock.look(tasks, time.time())
        if why is not None:
            return why
        await asyncio.sleep(POLL_S)
    return "every task ended"
