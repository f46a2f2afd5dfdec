"""What one arriving event tells the metrics (runtime.metrics): the state the task left and how
long it stayed there, and the outcome it reached. Pure; observed after the commit."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from contracts.envelope import Event
from contracts.states import OUTCOMES, TaskState
from contracts.tasks import TaskQueued
from runtime import metrics
from services.intake.state import Placed


@dataclass(frozen=True)
class Observed:
    left: TaskState | None  # the state the event moved the task out of
    seconds: float  # how long it was there (from the event that entered it)
    outcome: TaskState | None  # set when this event first gave the task an outcome
    platform: str


def observe(history: Sequence[Event], placed: Sequence[Placed], event_id: UUID) -> Observed | None:
    """None when the event does not apply where it stands (or is not in the history)."""
    at = next((i for i, p in enumerate(placed) if p.event_id == event_id), None)
    if at is None or placed[at].after is None:
        return None
    entered = next((history[i] for i in range(at - 1, -1, -1) if placed[i].after is not None), None)
    seconds = (history[at].occurred_at - entered.occurred_at).total_seconds() if entered else 0.0
    before, after = placed[at].before, placed[at].after
    outcome = after if after in OUTCOMES and before not in OUTCOMES else None
    queued = next((e for e in history if isinstance(e, TaskQueued)), None)
    return Observed(before if entered else None, max(seconds, 0.0), outcome, queued.platform if queued else "unknown")


def record(seen: Observed) -> None:
    if seen.left is not None:
        metrics.STATE_SECONDS.labels(seen.left.value).observe(seen.seconds)
    if seen.outcome is not None:
        metrics.APPLICATIONS.labels(seen.platform, seen.outcome.value).inc()
