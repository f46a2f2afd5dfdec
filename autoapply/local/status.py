"""Health of every part of a local stack, and its JetStream backlog, as one JSON-ready dict."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from autoapply import profiles
from autoapply.local import cluster, jsz, procs
from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from autoapply.local.server import LocalServer
from autoapply.local.services import DATABASE, SERVICES, ServiceInstance, Wiring
from autoapply.stack import Stack, nats_url


def part_status(part: LocalServer) -> dict[str, Any]:
    """Alive (the pid file names our live process) and healthy (its own check passes)."""
    record = part.record()
    alive = record is not None and procs.find_ours(record) is not None
    entry: dict[str, Any] = {"running": alive, "pid": record.pid if alive and record else None, "log": str(part.log)}
    if isinstance(part, ServiceInstance):
        answer = part.health() if alive else {"healthy": False}
        entry |= {
            "healthy": alive and answer["healthy"],
            "health_url": part.health_url,
            "http_url": part.http_url,
            "answer": answer,
        }
    else:
        url = part.dsn(DATABASE) if isinstance(part, PostgresServer) else getattr(part, "url", None)
        entry |= {"healthy": alive and _passes(part), "url": url, "port": getattr(part, "port", None)}
    return entry


def _passes(part: LocalServer) -> bool:
    try:
        return bool(part.healthy())
    except Exception:  # any failing probe means "not healthy"; the reason is in the part's log
        return False


def collect(stack: Stack) -> dict[str, Any]:
    """{"healthy", "home", "parts", "streams", "dead_letters"} for the stack in stack.home."""
    if not stack.state_file.exists():
        return {
            "healthy": False,
            "home": str(stack.home),
            "parts": {},
            "streams": {},
            "dead_letters": None,
            "error": f"no stack in {stack.home}; run `autoapply up` first",
        }
    state = stack.load_state()
    nodes, pg, redis = stack.infra(state)
    parts: dict[str, Any] = {p.name: part_status(p) for p in (*nodes, pg, redis)}
    for node in nodes:
        parts[node.name]["monitor_url"] = node.monitor_url
    wiring = Wiring(
        nats_url=nats_url(nodes), database_url="", redis_url="", data_dir=stack.data / "files", secret_key=""
    )
    parts |= services_status(stack.instances(state, wiring))
    if (site := stack.sandbox(state)) is not None:
        parts["sandbox"] = part_status(site)
    if (explorer := stack.trace_explorer(state)) is not None:
        parts["traces"] = part_status(explorer)
    up = [node for node in nodes if parts[node.name]["healthy"]]
    streams, error = _streams(up[0].monitor_url) if up else ({}, "nats is down")
    boxes, box_error = outboxes(pg.dsn(DATABASE), SERVICES) if parts["postgres"]["healthy"] else ({}, "down")
    report = {
        "healthy": all(p["healthy"] for p in parts.values()),
        "home": str(stack.home),
        "parts": parts,
        "streams": streams,
        "dead_letters": jsz.dead_letters(streams),
        "outbox": boxes,
    }
    if len(nodes) > 1:
        report["cluster"] = cluster_status(nodes, up)
    if error:
        report["streams_error"] = error
    if box_error:
        report["outbox_error"] = box_error
    report["browsers"] = _browsers(pg) if parts["postgres"]["healthy"] else None
    return report


def _browsers(pg: PostgresServer) -> list[dict[str, Any]] | None:
    try:
        return profiles.running(pg.dsn(DATABASE))
    except (OSError, asyncpg.PostgresError):
        return None


def cluster_status(nodes: list[NatsServer], up: list[NatsServer]) -> dict[str, Any]:
    """The nodes, the JetStream meta leader and each stream's leader, as a node that is up sees them."""
    found: dict[str, Any] = {"nodes": [n.name for n in nodes], "up": [n.name for n in up], "meta_leader": None}
    found["stream_leaders"] = {}
    for node in up:
        try:
            found["stream_leaders"] = cluster.stream_leaders(node.monitor_url)
        except (OSError, RuntimeError, ValueError):
            continue
        found["meta_leader"] = cluster.meta_leader(node.monitor_url)
        break
    return found


def render_cluster(report: dict[str, Any]) -> list[str]:
    """One line for a cluster: its nodes, which are up, and who leads JetStream and the streams."""
    found = report.get("cluster")
    if not found:
        return []
    leaders = ", ".join(
        f"{stream} {leader or '(electing)'}" for stream, leader in sorted(found["stream_leaders"].items())
    )
    return [
        f"cluster: {len(found['up'])} of {len(found['nodes'])} nodes up; meta leader {found['meta_leader'] or '-'}",
        f"stream leaders: {leaders or '- (no streams yet)'}",
    ]


def services_status(instances: list[ServiceInstance]) -> dict[str, Any]:
    grouped: dict[str, Any] = {}
    for service in SERVICES:
        mine = {i.name: part_status(i) for i in instances if i.service == service}
        if mine:  # a service run with 0 instances is left out
            grouped[service] = {"healthy": all(i["healthy"] for i in mine.values()), "instances": mine}
    return grouped


def _streams(monitor_url: str) -> tuple[dict[str, Any], str | None]:
    try:
        return jsz.streams(monitor_url), None
    except (OSError, RuntimeError) as exc:
        return {}, str(exc)


# Parked rows shown per service in full; beyond that, the count says how many.
SHOWN_PARKED = 5
_OUTBOX_COUNTS = (
    "SELECT count(*) FILTER (WHERE sent_at IS NULL AND parked_at IS NULL) AS pending, "
    "count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked FROM {schema}.outbox"
)
_PARKED_ROWS = (
    "SELECT id, subject, attempts, last_error, parked_at FROM {schema}.outbox WHERE parked_at IS NOT NULL "
    "ORDER BY seq LIMIT $1"
)


def outboxes(dsn: str, schemas: tuple[str, ...]) -> tuple[dict[str, Any], str | None]:
    """Per service: unsent rows, and parked ones (the relay will never publish them) with their errors."""
    try:
        return asyncio.run(_outboxes(dsn, schemas)), None
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return {}, f"{type(exc).__name__}: {exc}"


async def _outboxes(dsn: str, schemas: tuple[str, ...]) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        found: dict[str, Any] = {}
        for schema in schemas:
            if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.outbox"):
                found[schema] = await _outbox(conn, schema)
        return found
    finally:
        await conn.close()


async def _outbox(conn: asyncpg.Connection, schema: str) -> dict[str, Any]:
    counts = await conn.fetchrow(_OUTBOX_COUNTS.format(schema=schema))
    rows = await conn.fetch(_PARKED_ROWS.format(schema=schema), SHOWN_PARKED)
    parked = [
        {
            "id": str(r["id"]),
            "subject": r["subject"],
            "attempts": r["attempts"],
            "error": r["last_error"],
            "parked_at": r["parked_at"].isoformat(),
        }
        for r in rows
    ]
    return {"pending": counts["pending"], "parked": counts["parked"], "parked_rows": parked}
