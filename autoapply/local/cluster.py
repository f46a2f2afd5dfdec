"""A JetStream cluster of nats-server nodes on loopback, each a NatsServer with routes to the others."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import nats
from nats import errors as nats_errors

from autoapply.local.nats import NatsServer
from autoapply.local.ports import LOOPBACK
from autoapply.local.probe import get_json
from autoapply.local.procs import StartError
from runtime import streams

CLUSTER_NAME = "autoapply"
# Odd sizes only: a JetStream cluster keeps working while a majority of its nodes is up, and R5 is
# the most replicas JetStream allows.
CLUSTER_SIZES = (3, 5)
# A replicated stream is created once a majority of nodes has written it; a busy machine is slow.
DECLARE_TIMEOUT_S = 10.0
DECLARE_RETRY_S = 0.5


def node_name(index: int) -> str:
    return f"nats-{index}"


class ClusterNode(NatsServer):
    """One node: the single server's configuration plus a cluster block naming every node's route."""

    def __init__(
        self,
        directory: Path,
        index: int,
        ports: tuple[int, int, int],
        routes: list[int],
        *,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        port, monitor_port, self.cluster_port = ports
        super().__init__(directory, port, monitor_port, server_name=node_name(index), log=log, pid_file=pid_file)
        self.name = node_name(index)
        self.routes = routes

    @property
    def kind(self) -> str:
        return "nats"  # `down` stops every node with the other servers, after the services

    def config_text(self) -> str:
        # Every node lists every route, itself included: the server skips its own, and any node
        # can then start first.
        routes = ", ".join(json.dumps(f"nats-route://{LOOPBACK}:{port}") for port in self.routes)
        cluster = [
            "cluster {",
            f"  name: {json.dumps(CLUSTER_NAME)}",
            f'  listen: "{LOOPBACK}:{self.cluster_port}"',
            f"  routes: [{routes}]",
            "}",
            "",
        ]
        return super().config_text() + "\n".join(cluster)

    def healthy(self) -> bool:
        # /healthz passes once the node has joined; services also need a JetStream meta leader,
        # without which every stream declaration times out.
        return super().healthy() and meta_leader(self.monitor_url) is not None


def jsz(monitor_url: str) -> dict[str, Any]:
    status, body = get_json(monitor_url + "/jsz")
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"{monitor_url}/jsz answered {status}")
    return body


def meta_leader(monitor_url: str) -> str | None:
    """The node leading the cluster's JetStream metadata, as this node sees it."""
    try:
        leader = jsz(monitor_url).get("meta_cluster", {}).get("leader")
    except (OSError, RuntimeError, ValueError):
        return None
    return str(leader) if leader else None


def stream_leaders(monitor_url: str) -> dict[str, str | None]:
    """Per stream, the node leading it (None while an election runs)."""
    status, body = get_json(monitor_url + "/jsz?streams=true")
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"{monitor_url}/jsz answered {status}")
    leaders: dict[str, str | None] = {}
    for account in body.get("account_details") or []:
        for detail in account.get("stream_detail") or []:
            leaders[detail["name"]] = (detail.get("cluster") or {}).get("leader") or None
    return leaders


async def _declare_once(urls: list[str], replicas: int) -> None:
    client = await nats.connect(urls, connect_timeout=DECLARE_TIMEOUT_S, max_reconnect_attempts=1)
    try:
        await streams.declare_streams(client.jetstream(timeout=DECLARE_TIMEOUT_S), replicas)
    finally:
        await client.close()


def declare_streams(urls: list[str], replicas: int, deadline: float) -> None:
    """Create the streams at `replicas` before the services start.

    Five services starting side by side would otherwise all create the same replicated streams at
    once on a cluster that has just elected its leader, and the slowest request times out.
    """
    while True:
        try:
            asyncio.run(_declare_once(urls, replicas))
            return
        except (OSError, nats_errors.Error) as exc:
            if time.monotonic() + DECLARE_RETRY_S > deadline:
                raise StartError(f"nats: the cluster did not take the streams at {replicas} replicas: {exc!r}") from exc
            time.sleep(DECLARE_RETRY_S)
