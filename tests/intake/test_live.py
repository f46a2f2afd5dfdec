"""Live updates over real WebSockets, from events on the real bus: the original message types,
a reconnect that gets exactly what it missed, isolation, and several instances each serving theirs."""

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from contracts.human import CaptchaDetected
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.tasks import TaskProgress
from runtime.bus import Bus
from tests.intake.client import Intake, User, ready_user
from tests.intake.conftest import start_intake
from tests.support import unique

pytestmark = pytest.mark.integration


def ws_base(url: str) -> str:
    return url.replace("http://", "ws://")


@asynccontextmanager
async def socket(url: str, user: User, after: int | None = None) -> AsyncIterator[ClientConnection]:
    query = f"?token={user.tokens['access_token']}" + (f"&after={after}" if after is not None else "")
    async with connect(ws_base(url) + query, open_timeout=10) as ws:
        yield ws


async def receive(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    try:
        for _ in range(n):
            got.append(json.loads(await asyncio.wait_for(ws.recv(), 15)))
    except TimeoutError:
        raise AssertionError(f"{len(got)} of {n} messages in time: {got}") from None
    return got


@asynccontextmanager
async def publisher(intake: Intake) -> AsyncIterator[Bus]:
    bus = Bus([intake.servers["nats"]], unique("publisher"))
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.close()


async def new_task(http: httpx.AsyncClient) -> tuple[User, str]:
    user, _ = await ready_user(http)
    made = await http.post(
        "/api/v1/tasks", headers=user.auth, json={"job_url": f"https://jobs.example.org/{uuid.uuid4()}"}
    )
    assert made.status_code == 201, made.text
    return user, made.json()["task_id"]


async def test_a_task_socket_tells_the_story_and_a_reconnect_gets_what_it_missed(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    user, task_id = await new_task(http)
    ids = {"task_id": uuid.UUID(task_id), "user_id": uuid.UUID(user.user_id)}
    url = f"{intake.url}/api/v1/tasks/{task_id}/ws"
    async with publisher(intake) as bus:
        async with socket(url, user) as ws:
            queued = await receive(ws, 1)
            await bus.publish(
                TaskProgress(**ids, state=TaskState.PROVISIONING, step="start_browser", step_number=1, total_steps=7)
            )
            provisioning = await receive(ws, 2)
        assert [(m["type"], m.get("from"), m.get("to")) for m in queued] == [("state_change", None, "QUEUED")]
        assert [m["type"] for m in provisioning] == ["state_change", "progress"]
        assert provisioning[0]["from"] == "QUEUED" and provisioning[1]["step"] == "start_browser"
        assert provisioning[1]["step_number"] == 1 and provisioning[1]["total_steps"] == 7
        cursor = provisioning[-1]["cursor"]
        # While nobody listens, the task moves on; a reconnect from the cursor gets exactly that.
        await bus.publish(
            ProfileReady(
                **ids, profile_id="p-1", provider="local", platform="generic", cdp_url="ws://127.0.0.1:1/devtools"
            )
        )
        for state in (TaskState.NAVIGATING, TaskState.ANALYZING, TaskState.EXECUTING_RPA):
            await bus.publish(TaskProgress(**ids, state=state))
        await bus.publish(
            CaptchaDetected(
                **ids,
                page_url="https://jobs.example.org/apply",
                resume_state=TaskState.EXECUTING_RPA,
                live_view_url="http://127.0.0.1:6080/vnc.html",
            )
        )
        async with socket(url, user, after=cursor) as ws:
            missed = await receive(ws, 6)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 1)  # nothing twice
    assert [(m["type"], m.get("to")) for m in missed] == [
        ("state_change", "READY"),
        ("state_change", "NAVIGATING"),
        ("state_change", "ANALYZING"),
        ("state_change", "EXECUTING_RPA"),
        ("state_change", "NEED_CAPTCHA"),
        ("human_needed", None),
    ]
    assert missed[0]["from"] == "PROVISIONING" and missed[-1]["reason"] == "CAPTCHA"
    assert missed[-1]["novnc_url"] == "http://127.0.0.1:6080/vnc.html"
    assert all(a["cursor"] <= b["cursor"] for a, b in itertools.pairwise(missed))
    assert missed[0]["cursor"] > cursor


async def test_sockets_refuse_strangers_and_bad_tokens(http: httpx.AsyncClient, intake: Intake) -> None:
    alice, task_id = await new_task(http)
    bob, _ = await ready_user(http)
    url = f"{intake.url}/api/v1/tasks/{task_id}/ws"
    for user, code in ((bob, 4404), (User(bob.email, bob.user_id, {"access_token": "forged"}), 4401)):
        async with socket(url, user) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == code
    del alice


async def test_every_instance_serves_its_own_user_sockets(http: httpx.AsyncClient, intake: Intake) -> None:
    second = await start_intake(intake.servers, instance=2)
    try:
        user, task_id = await new_task(http)
        ids = {"task_id": uuid.UUID(task_id), "user_id": uuid.UUID(user.user_id)}
        other = f"http://127.0.0.1:{second.env['AUTOAPPLY_HTTP_PORT']}"
        async with socket(f"{intake.url}/api/v1/ws", user) as one, socket(f"{other}/api/v1/ws", user) as two:
            async with publisher(intake) as bus:
                await bus.publish(TaskProgress(**ids, state=TaskState.PROVISIONING))
            got = [await receive(ws, 1) for ws in (one, two)]
    finally:
        second.stop()
    assert [g[0]["to"] for g in got] == ["PROVISIONING", "PROVISIONING"], got
    assert got[0][0]["cursor"] == got[1][0]["cursor"] and got[0][0]["task_id"] == task_id
