"""`autoapply apply`'s live view: one progress bar per task from its WebSocket, until each ends."""

import asyncio
import json
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

# Outcomes: a task in one of these has ended (CLEANUP only follows them).
ENDED = frozenset({"COMPLETED", "FAILED", "REJECTED", "CANCELLED"})
# A dropped socket is opened again from the last cursor this many times before giving up.
RECONNECTS = 5


def ws_url(api: str, task_id: str, token: str, after: int) -> str:
    base = api.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return f"{base}/api/v1/tasks/{task_id}/ws?token={token}&after={after}"


async def follow(api: str, token: str, task_id: str, progress: Progress, bar: TaskID) -> str:
    """Updates the bar from the task's messages; returns the outcome (or the last state seen)."""
    state, cursor, tries = "QUEUED", 0, 0
    while tries <= RECONNECTS:
        try:
            async with connect(ws_url(api, task_id, token, cursor), open_timeout=10) as ws:
                async for raw in ws:
                    message = json.loads(raw)
                    cursor = max(cursor, int(message.get("cursor", 0)))
                    state = _show(message, state, progress, bar, f"{api}/app/tasks/{task_id}?open=signin#signin")
                    if state in ENDED:
                        return state
        except (ConnectionClosed, InvalidStatus, OSError, TimeoutError):
            tries += 1
            await asyncio.sleep(min(2.0**tries, 10.0))
    return state


def _show(message: dict[str, Any], state: str, progress: Progress, bar: TaskID, page: str = "") -> str:
    if message["type"] == "state_change":
        state = str(message["to"])
        progress.update(bar, status=state)
        if state in ENDED:
            progress.update(bar, completed=progress.tasks[bar].total)
    elif message["type"] == "progress" and message.get("total_steps"):
        progress.update(
            bar,
            total=message["total_steps"],
            completed=message.get("step_number") or 0,
            status=f"{state}: {message.get('step')}",
        )
    elif message["type"] == "human_needed" and message.get("sign_in"):
        # Only the user can pass it, on their own page: the terminal says where.
        progress.update(bar, status=f"waiting for you: sign in to the job site once, at {page}")
    elif message["type"] == "human_needed":
        progress.update(bar, status=f"waiting for a person ({message.get('reason')})")
    return state


async def follow_all(api: str, token: str, tasks: list[dict[str, Any]], console: Console) -> dict[str, str]:
    columns = (TextColumn("{task.description}", style="bold"), BarColumn(), TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=console, transient=False) as progress:
        bars = {t["task_id"]: progress.add_task(t["job_url"][:60], total=1, status="QUEUED") for t in tasks}
        outcomes = await asyncio.gather(*(follow(api, token, tid, progress, bar) for tid, bar in bars.items()))
    return dict(zip(bars, outcomes, strict=True))
