"""The stack `bench apply` measures: the servers it keeps for the whole run and the five services it
starts again for each level, with that level's concurrency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from autoapply.local import RedisServer
from tests.e2e.stack import FAST
from tests.processes import Child, service_env, stop_all, stop_strays, wait_healthy
from tests.sandbox.harness import Sandbox

SERVICES = ("intake", "provisioner", "executor", "verifier", "takeover")
# Five services importing and migrating at once on a machine at load 50 took more than 150 s.
HEALTHY_TIMEOUT_S = 400.0
# The tests' short waits (tests/e2e/stack.py FAST) but for those a loaded machine breaks: a 5 s
# profile lock let the provisioner's reaper take a browser busy starting for dead (three 2 s
# probes unanswered: "the task's browser exited"), a 20 s navigation timed out, and a 4 s wait for
# the proof of a submission sent every application to a person as unproven. Their defaults are
# what a user's stack runs with.
PRODUCT_DEFAULTS = {
    "provisioner": ("AUTOAPPLY_LOCK_TTL_S", "AUTOAPPLY_BROWSER_LINGER_S"),
    "executor": ("AUTOAPPLY_NAVIGATION_TIMEOUT_S",),
    "verifier": ("AUTOAPPLY_PROOF_TIMEOUT_S",),
}


@dataclass
class World:
    folder: Path
    sandbox: Sandbox
    nats_url: str
    nats_monitor_url: str
    dsn: str
    redis: RedisServer
    servers: list[int]  # pids of nats-server, PostgreSQL, Redis
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    children: dict[str, Child] = field(default_factory=dict)
    run: int = 0  # each start of the services gets a Redis database of its own
    replicas: int = 1  # of every stream and consumer: the cluster's nodes, or the one nats-server

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.children['intake'].env['AUTOAPPLY_HTTP_PORT']}"

    @property
    def redis_url(self) -> str:
        return self.redis.url_for(self.run)

    def pids(self) -> list[int]:
        return self.servers + [c.proc.pid for c in self.children.values() if c.proc.poll() is None]

    def parts(self) -> dict[str, list[int]]:
        """The stack's processes by part: the servers, and each service with what it started."""
        running = {n: [c.proc.pid] for n, c in self.children.items() if c.proc.poll() is None}
        return {"servers": self.servers, **running}


def level_env(name: str, concurrency: int, browsers: int) -> dict[str, str]:
    extra = {"AUTOAPPLY_LOG_LEVEL": "WARNING"}
    if name == "provisioner":
        # No pacing and no hourly or daily cap: the bench measures the work, not the politeness.
        extra |= {
            "AUTOAPPLY_BROWSER_SLOTS": str(max(concurrency, browsers)),
            "AUTOAPPLY_HOURLY_LIMITS": '{"*": 100000}',
            "AUTOAPPLY_PLAN_LIMITS": '{"free": 100000, "pro": 100000}',
        }
    if name == "executor":
        extra |= {"AUTOAPPLY_WORKERS": str(concurrency), "AUTOAPPLY_BROWSER_SLOTS": str(concurrency)}
    short = {k: v for k, v in FAST[name].items() if k not in PRODUCT_DEFAULTS.get(name, ())}
    return short | extra


async def start_services(world: World, concurrency: int, browsers: int = 0) -> None:
    """The five services, healthy; on failure they are stopped again and the error says which one.
    `concurrency` tasks at once (the executor's workers); the provisioner's slots are as many, or
    `browsers` when more: every account of the level keeps its browser, lingering between its tasks."""
    # Slots, waiters, locks and quotas start empty: a level never waits on what the last one left.
    world.run += 1
    for name in SERVICES:
        env = service_env(name, world.nats_url, world.dsn, world.redis_url, world.folder)
        env |= level_env(name, concurrency, browsers)
        env |= {"AUTOAPPLY_SECRET_KEY": world.secret, "AUTOAPPLY_DATA_DIR": str(world.folder / "files")}
        env["AUTOAPPLY_REPLICAS"] = str(world.replicas)
        if name == "takeover":
            env["AUTOAPPLY_INTAKE_URL"] = world.intake_url
        log = world.folder / f"{name}-c{concurrency}-{world.run}.log"
        world.children[name] = Child(f"services.{name}", env, log)
    try:
        for child in world.children.values():
            await wait_healthy(child, timeout_s=HEALTHY_TIMEOUT_S)
    except AssertionError:
        stop_services(world)
        raise


def stop_services(world: World) -> None:
    """All five at once (one after the other, each one's graceful stop adds up)."""
    stop_all(list(reversed(list(world.children.values()))))
    world.children.clear()
    # A provisioner killed after its stop's grace leaves its browsers running (their profiles are in
    # the bench's folder): they would run on, and burn CPU, through the next level.
    stop_strays(world.folder / "files" / "browsers")
