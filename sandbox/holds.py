"""Held submits: a job whose accepted applications wait, before they are recorded, until released.

Tests use it to crash a client at an exact point: the click has happened and its request has
arrived (the admin API shows it waiting), but the site has not answered yet.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

# A forgotten release must not hang a browser for ever: the submit goes on after this long.
HOLD_MAX_S = 120.0

Key = tuple[str, str]


@dataclass
class Holds:
    held: set[Key] = field(default_factory=set)
    waiting: dict[Key, int] = field(default_factory=dict)
    arrived: dict[Key, int] = field(default_factory=dict)  # submits that reached the hold, ever
    _released: dict[Key, asyncio.Event] = field(default_factory=dict)

    def hold(self, site: str, job_id: str) -> None:
        key = (site, job_id)
        self.held.add(key)
        self._released[key] = asyncio.Event()

    def release(self, site: str, job_id: str) -> None:
        key = (site, job_id)
        self.held.discard(key)
        event = self._released.pop(key, None)
        if event is not None:
            event.set()

    async def wait(self, site: str, job_id: str) -> None:
        """Returns at once unless the job is held; then when it is released (or HOLD_MAX_S passed)."""
        key = (site, job_id)
        event = self._released.get(key)
        if key not in self.held or event is None:
            return
        self.arrived[key] = self.arrived.get(key, 0) + 1
        self.waiting[key] = self.waiting.get(key, 0) + 1
        try:
            await asyncio.wait_for(event.wait(), HOLD_MAX_S)
        except TimeoutError:
            pass
        finally:
            self.waiting[key] -= 1

    def as_json(self) -> list[dict[str, Any]]:
        keys = sorted(self.held | set(self.arrived))
        return [
            {
                "site": site,
                "job_id": job_id,
                "held": (site, job_id) in self.held,
                "waiting": self.waiting.get((site, job_id), 0),
                "arrived": self.arrived.get((site, job_id), 0),
            }
            for site, job_id in keys
        ]

    def clear(self) -> None:
        for site, job_id in list(self.held):
            self.release(site, job_id)
        self.waiting.clear()
        self.arrived.clear()
