"""The chaos loop: SIGKILL a random service instance, restart a nats-server node (the events stream's
leader every other time), restart PostgreSQL; each fault recorded, the stack brought back each time."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from autoapply.local.cluster import stream_leaders
from autoapply.local.procs import StartError
from autoapply.local.services import ServiceInstance
from autoapply.stack import UP_DEADLINE_S, Stack
from contracts.streams import EVENTS_STREAM

# A fault every this many seconds: long enough for the stack to come back between two faults.
FAULT_EVERY_S = 20.0
# A restarted node or database is down this long, as a short crash would leave it.
DOWN_S = 2.0
# `up` tries after a fault; each waits at most UP_DEADLINE_S for the stack to be healthy again.
UP_TRIES = 2
# The longest one fault takes, its recovery included: what the soak keeps back at its end.
MAX_FAULT_S = DOWN_S + UP_TRIES * UP_DEADLINE_S + 10
# The faults in turn: service kills twice as often as the rest, as crashes of services are likelier.
KINDS = ("kill_service", "restart_nats", "kill_service", "restart_nats_leader", "restart_postgres")


@dataclass
class Chaos:
    stack: Stack
    seed: int
    faults: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)

    async def run(self, until: asyncio.Event) -> None:
        rng = random.Random(self.seed)
        kinds = list(KINDS)
        turn = 0
        while not until.is_set():
            try:
                await asyncio.wait_for(until.wait(), FAULT_EVERY_S)
                return
            except TimeoutError:
                pass
            kind = kinds[turn % len(kinds)]
            turn += 1
            began = time.monotonic()
            detail = await asyncio.to_thread(self._inject, kind, rng)
            self.faults[kind] += 1
            self.log.append(f"{kind} {detail} back in {time.monotonic() - began:.1f} s")

    def every_kind_done(self) -> bool:
        return set(KINDS) <= set(self.faults)

    def _inject(self, kind: str, rng: random.Random) -> str:
        state = self.stack.load_state()
        nodes, pg, _ = self.stack.infra(state)
        if kind == "kill_service":
            victim = rng.choice([p for p in self._instances(state) if p.running()])
            victim.kill()
            detail = victim.name
        elif kind in ("restart_nats", "restart_nats_leader"):
            leader = stream_leaders(nodes[0].monitor_url).get(EVENTS_STREAM) if kind.endswith("leader") else None
            node = next((n for n in nodes if n.server_name == leader), None) or rng.choice(nodes)
            node.kill()
            time.sleep(DOWN_S)
            node.start()
            detail = node.name
        else:
            pg.kill()
            time.sleep(DOWN_S)
            pg.start()
            detail = "postgres"
        return detail + self._bring_back()

    def _bring_back(self) -> str:
        # Whatever is not running starts again (the killed instance, say). On two loaded cores one
        # `up` (60 s) may not be enough for services reconnecting to a restarted node; each further
        # `up` starts only what is still down, and a part that stays down is reported, not fatal.
        for attempt in range(1, UP_TRIES + 1):
            try:
                with self.stack.locked():
                    self.stack.up()
                return ""
            except StartError as exc:
                if attempt == UP_TRIES:
                    self.faults["not_recovered"] += 1
                    return f" (not all back: {str(exc).splitlines()[0]})"
        return ""

    def _instances(self, state: dict[str, object]) -> list[ServiceInstance]:
        nodes, pg, redis = self.stack.infra(state)  # type: ignore[arg-type]
        return self.stack.instances(state, self.stack.wiring(nodes, pg, redis))  # type: ignore[arg-type]
