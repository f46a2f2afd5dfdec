"""A server killed with SIGKILL comes back on the same port with what it had acknowledged."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import nats
import pytest

from autoapply.local import NatsServer, PostgresServer
from tests.stack.helpers import assert_gone, server_tree

pytestmark = pytest.mark.chaos

MESSAGES = 50


async def test_a_nats_stream_survives_sigkill_and_restart(nats_server_factory: Callable[..., NatsServer]) -> None:
    server = nats_server_factory()
    client = await nats.connect(server.url)
    js = client.jetstream()
    await js.add_stream(name="KEPT", subjects=["kept.>"])
    for i in range(MESSAGES):
        await js.publish("kept.x", str(i).encode(), headers={"Nats-Msg-Id": f"m-{i}"})
    await client.close()
    tree, port = server_tree(server), server.port
    assert server.kill()
    assert_gone(tree)
    assert not server.running()
    server.start()
    assert server.port == port
    client = await nats.connect(server.url)
    try:
        info = await client.jetstream().stream_info("KEPT")
    finally:
        await client.close()
    assert info.state.messages == MESSAGES


async def test_postgres_keeps_committed_rows_after_sigkill(
    postgres_server_factory: Callable[..., PostgresServer],
) -> None:
    server = postgres_server_factory()
    dsn = server.ensure_database("crash")
    conn = await asyncpg.connect(dsn)
    await conn.execute("create table t (v int); insert into t select generate_series(1, 1000)")
    await conn.close()
    tree = server_tree(server)
    assert server.kill()
    assert_gone(tree)
    server.start()  # crash recovery replays the WAL
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("select count(*) from t") == 1000
    finally:
        await conn.close()
