"""The takeover service as a real process: a request for help queues, an operator claims it, works
the live browser, resolves it; another times out. Against real nats-server, PostgreSQL, Redis and
Chromium."""

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from nats.js.errors import NotFoundError
from playwright.async_api import async_playwright
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from autoapply.local.chromium import ChromiumServer
from autoapply.local.nats import NatsServer
from autoapply.local.postgres import PostgresServer
from autoapply.local.redis import RedisServer
from contracts.human import CaptchaDetected, HumanNeeded, Question
from contracts.profiles import ProfileReady
from contracts.states import Priority, TaskState
from contracts.streams import EVENTS_STREAM
from contracts.users import UserDeleted
from runtime import objects
from runtime.bus import Bus
from runtime.tokens import Principal, access_token
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration

BUTTON_PAGE = (
    'data:text/html,<button id="b" style="position:fixed;left:0;top:0;width:300px;height:200px"'
    " onclick=\"this.textContent='solved'\">I am not a robot</button>"
)


class Takeover:
    def __init__(self, child: Child, bus: Bus, files: Path) -> None:
        self.child, self.bus, self.files = child, bus, files
        self.url = f"http://127.0.0.1:{child.env['AUTOAPPLY_HTTP_PORT']}"
        self.secret = child.env["AUTOAPPLY_SECRET_KEY"]

    def token(self, role: str = "operator", user: uuid.UUID | None = None) -> str:
        who = Principal(user or uuid.uuid4(), role, uuid.uuid4())  # type: ignore[arg-type]
        return access_token(who, self.secret, ttl_s=300)

    async def last(self, subject: str) -> dict[str, Any] | None:
        try:
            msg = await self.bus.js.get_last_msg(EVENTS_STREAM, subject)
        except NotFoundError:
            return None
        body: dict[str, Any] = json.loads(msg.data)
        return body


def start_takeover(nats_url: str, dsn: str, redis_url: str, folder: Path, human_timeout_s: float) -> Child:
    env = service_env("takeover", nats_url, dsn, redis_url, folder)
    env["AUTOAPPLY_HUMAN_TIMEOUT_S"] = str(human_timeout_s)
    env["AUTOAPPLY_TIMEOUT_CHECK_S"] = "0.5"
    return Child("services.takeover", env, folder / "takeover.log")


@asynccontextmanager
async def connected(child: Child, nats_url: str, files: Path) -> AsyncIterator[Takeover]:
    """The running takeover and a bus to it on the test's own event loop."""
    bus = Bus([nats_url], unique("test"))
    try:
        await wait_healthy(child, timeout_s=60)
        await bus.connect()
        yield Takeover(child, bus, files)
    finally:
        await bus.close()


@pytest.fixture(scope="module")
def shared_takeover(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[tuple[str, Child, Path]]:
    """One nats-server (the service declares the project's fixed stream names) and one takeover for
    the module's tests, with the product's human timeout: each test asks for help for tasks and users
    of its own and looks only at those, so starting both again for every test bought nothing."""
    folder = tmp_path_factory.mktemp("takeover")
    nats = NatsServer(folder / "nats")
    nats.start()
    dsn = postgres_server.ensure_database(f"t_{uuid.uuid4().hex[:16]}")
    # A database number of its own, below the e2e stack's range and above the per-test counter's.
    redis_url = redis_server.url_for(redis_server.databases - 2000 - int(uuid.uuid4().int % 1000))
    child = start_takeover(nats.url, dsn, redis_url, folder, human_timeout_s=300.0)
    try:
        yield nats.url, child, folder / "files"
    finally:
        child.stop()
        nats.stop()


@pytest.fixture
async def takeover(shared_takeover: tuple[str, Child, Path]) -> AsyncIterator[Takeover]:
    nats_url, child, files = shared_takeover
    async with connected(child, nats_url, files) as running:
        yield running


@pytest.fixture
async def impatient_takeover(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[Takeover]:
    """A takeover of the test's own whose human timeout is 3 s."""
    child = start_takeover(nats.url, fresh_database, redis_url, tmp_path, human_timeout_s=3.0)
    try:
        async with connected(child, nats.url, tmp_path / "files") as running:
            yield running
    finally:
        child.stop()


async def browser_with_page(factory: Callable[..., ChromiumServer]) -> ChromiumServer:
    chromium = factory()
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(chromium.url)
        await browser.contexts[0].pages[0].goto(BUTTON_PAGE)
        await browser.close()
    return chromium


async def ask_for_help(t: Takeover, cdp_url: str | None, priority: Priority = Priority.NORMAL) -> CaptchaDetected:
    queued = queued_event(priority=priority)
    await t.bus.publish(queued)
    if cdp_url:
        ready = ProfileReady(
            task_id=queued.task_id,
            user_id=queued.user_id,
            profile_id="p-1",
            provider="local",
            platform="greenhouse",
            cdp_url=cdp_url,
        )
        await t.bus.publish(ready)
    captcha = CaptchaDetected(
        task_id=queued.task_id,
        user_id=queued.user_id,
        page_url="https://jobs.example.com/42",
        resume_state=TaskState.EXECUTING_RPA,
    )
    await t.bus.publish(captcha)
    return captcha


async def queue_of(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/interventions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["interventions"]
    return items


async def test_a_captcha_is_solved_in_the_live_view_and_the_task_resumes(
    takeover: Takeover, chromium_server_factory: Callable[..., ChromiumServer]
) -> None:
    chromium = await browser_with_page(chromium_server_factory)
    captcha = await ask_for_help(takeover, chromium.url)
    me = takeover.token()
    auth = {"Authorization": f"Bearer {me}"}
    async with httpx.AsyncClient(base_url=takeover.url, timeout=10) as client:
        found: list[dict[str, Any]] = []

        async def queued() -> bool:
            # The browser (profile.ready) and the request (captcha.detected) come through two consumers
            # in no promised order: the request may be listed a moment before its live view is known.
            found[:] = await queue_of(client, me)
            return any(i["task_id"] == str(captcha.task_id) and i["has_live_view"] for i in found)

        await eventually(queued, timeout_s=15)
        item = next(i for i in found if i["task_id"] == str(captcha.task_id))
        assert item["kind"] == "captcha" and item["has_live_view"] and item["claimed_by"] is None
        progress = await takeover.last(f"task.progress.{captcha.task_id}")
        assert progress is not None and progress["state"] == "HUMAN_TAKEOVER"

        path = f"/api/v1/interventions/{item['intervention_id']}"
        assert (await client.post(f"{path}/resolve", json={}, headers=auth)).status_code == 409  # claim first
        assert (await client.post(f"{path}/claim", headers=auth)).status_code == 200
        other = {"Authorization": f"Bearer {takeover.token()}"}
        refused = await client.post(f"{path}/claim", headers=other)
        assert refused.status_code == 409 and "another operator" in refused.json()["error"]

        ws_url = takeover.url.replace("http", "ws") + f"{path}/live"
        async with connect(ws_url, additional_headers=auth) as socket:
            meta = json.loads(await asyncio.wait_for(socket.recv(), 10))
            jpeg = await asyncio.wait_for(socket.recv(), 10)
            assert meta["frame"]["width"] > 0 and isinstance(jpeg, bytes) and jpeg[:2] == b"\xff\xd8"
            for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                await socket.send(json.dumps({"type": kind, "x": 100, "y": 100}))
            await asyncio.sleep(0.5)
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(chromium.url)
            assert await browser.contexts[0].pages[0].inner_text("#b") == "solved"
            await browser.close()

        beat = await client.post(f"{path}/claim", headers=auth)  # the page's heartbeat keeps the claim
        assert beat.status_code == 200
        done = await client.post(f"{path}/resolve", json={}, headers=auth)
        assert done.status_code == 200, done.text
        assert done.json() == {"status": "EXECUTING_RPA", "message": "Automation resumed"}
        again = await client.post(f"{path}/resolve", json={}, headers=auth)
        assert again.status_code == 409  # resolved once

        async def resolved() -> bool:
            return await takeover.last(f"human.resolved.{captcha.task_id}") is not None

        await eventually(resolved, timeout_s=10)
        event = await takeover.last(f"human.resolved.{captcha.task_id}")
        assert event is not None and event["resume_state"] == "EXECUTING_RPA"
        assert event["resolution"] == "captcha_solved"
        assert all(i["task_id"] != str(captcha.task_id) for i in await queue_of(client, me))


async def test_operators_only(takeover: Takeover) -> None:
    async with httpx.AsyncClient(base_url=takeover.url, timeout=10) as client:
        assert (await client.get("/api/v1/interventions")).status_code == 401
        user = {"Authorization": f"Bearer {takeover.token(role='user')}"}
        assert (await client.get("/api/v1/interventions", headers=user)).status_code == 403
        forged = {"Authorization": f"Bearer {takeover.token()[:-4]}abcd"}
        assert (await client.get("/api/v1/interventions", headers=forged)).status_code == 401
        page = await client.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"


async def test_a_question_nobody_answers_times_out_and_the_task_fails(impatient_takeover: Takeover) -> None:
    takeover = impatient_takeover
    queued = queued_event()
    await takeover.bus.publish(queued)
    asked = HumanNeeded(
        task_id=queued.task_id,
        user_id=queued.user_id,
        reason="a required question the profile does not answer",
        questions=("Years of Rust?",),
        fields=(Question(label="Years of Rust?", widget="select", options=("0-1", "2-4", "5+")),),
        resume_state=TaskState.EXECUTING_RPA,
    )
    await takeover.bus.publish(asked)

    async def timed_out() -> bool:
        return await takeover.last(f"human.timeout.{queued.task_id}") is not None

    await eventually(timed_out, timeout_s=20)
    event = await takeover.last(f"human.timeout.{queued.task_id}")
    assert event is not None and event["waited_s"] >= 2.5


async def test_high_priority_waits_are_first_in_the_queue(takeover: Takeover) -> None:
    normal = await ask_for_help(takeover, None)
    high = await ask_for_help(takeover, None, Priority.HIGH)
    me = takeover.token()
    async with httpx.AsyncClient(base_url=takeover.url, timeout=10) as client:
        order: list[str] = []

        async def both() -> bool:
            # A task's priority (task.queued) and its request (captcha.detected) come through two
            # consumers in no promised order: a request listed before its priority is known is
            # placed again once it is (the record first, then the queue's order).
            listed = await queue_of(client, me)
            order[:] = [i["task_id"] for i in listed]
            known = any(i["task_id"] == str(high.task_id) and i["priority"] == "high" for i in listed)
            return {str(normal.task_id), str(high.task_id)} <= set(order) and known

        async def high_first() -> bool:
            order[:] = [i["task_id"] for i in await queue_of(client, me)]
            return order.index(str(high.task_id)) < order.index(str(normal.task_id))

        await eventually(both, timeout_s=15)
        with contextlib.suppress(AssertionError):  # the order is asserted below, after at most 5 s more
            await eventually(high_first, timeout_s=5)
    assert order.index(str(high.task_id)) < order.index(str(normal.task_id))


async def test_an_operator_solves_it_in_the_page(
    takeover: Takeover, chromium_server_factory: Callable[..., ChromiumServer], tmp_path: Path
) -> None:
    """Playwright drives the operator page: the queue shows the request, the live view takes the click."""
    task_browser = await browser_with_page(chromium_server_factory)
    operator_browser = chromium_server_factory()
    captcha = await ask_for_help(takeover, task_browser.url)
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(operator_browser.url)
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        await context.add_cookies([{"name": "autoapply_operator", "value": takeover.token(), "url": takeover.url}])
        page = await context.new_page()
        logs: list[str] = []
        page.on("console", lambda m: logs.append(m.text))
        page.on("pageerror", lambda e: logs.append(str(e)))
        await page.goto(takeover.url + "/")
        row = page.locator(f'#queue-body tr[data-task="{captcha.task_id}"]')  # the module's other requests queue too
        open_link = row.locator("a", has_text="Open")
        await open_link.wait_for(timeout=15_000)
        assert "captcha" in await row.inner_text()
        await page.screenshot(path=str(tmp_path / "queue.png"))
        await open_link.click()
        await page.wait_for_selector("#screen-status:text('live')", timeout=15_000)
        await page.wait_for_selector("#screen[data-frames]", timeout=15_000)  # the first frame is drawn
        box = await page.locator("#screen").bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + 40, box["y"] + 40)  # the task page's button fills its top-left corner
        await page.screenshot(path=str(tmp_path / "intervention.png"))
        assert [line for line in logs if "Error" in line] == []
        await page.click("#resolve")
        await page.wait_for_selector("#notice:text('Resolved')", timeout=10_000)
        await browser.close()
        check = await pw.chromium.connect_over_cdp(task_browser.url)
        assert await check.contexts[0].pages[0].inner_text("#b") == "solved"
        await check.close()

    async def resolved() -> bool:
        return await takeover.last(f"human.resolved.{captcha.task_id}") is not None

    await eventually(resolved, timeout_s=10)


async def test_a_deleted_user_leaves_only_the_bare_audit_behind(
    takeover: Takeover, chromium_server_factory: Callable[..., ChromiumServer]
) -> None:
    chromium = await browser_with_page(chromium_server_factory)
    captcha = await ask_for_help(takeover, chromium.url)
    user = captcha.user_id
    queued = queued_event(user_id=user)
    await takeover.bus.publish(queued)
    asked = HumanNeeded(
        task_id=queued.task_id,
        user_id=user,
        reason="a required question the profile does not answer",
        questions=("Years of Rust?",),
        resume_state=TaskState.EXECUTING_RPA,
    )
    await takeover.bus.publish(asked)
    me = takeover.token()
    auth = {"Authorization": f"Bearer {me}"}
    why = "Jane Roe said on the phone she withdrew"
    async with httpx.AsyncClient(base_url=takeover.url, timeout=10) as client:
        found: list[dict[str, Any]] = []

        async def both_queued() -> bool:
            found[:] = await queue_of(client, me)
            live = {i["task_id"] for i in found if i["has_live_view"]}  # its browser's fact may come later
            return {str(captcha.task_id), str(queued.task_id)} <= {i["task_id"] for i in found} and (
                str(captcha.task_id) in live
            )

        await eventually(both_queued, timeout_s=15)
        ours = (str(captcha.task_id), str(queued.task_id))  # the module's other requests are listed too
        ids = {i["task_id"]: i["intervention_id"] for i in found if i["task_id"] in ours}
        question = f"/api/v1/interventions/{ids[str(queued.task_id)]}"
        assert (await client.post(f"{question}/claim", headers=auth)).status_code == 200
        assert (await client.post(f"{question}/fail", json={"why": why}, headers=auth)).status_code == 200
        path = f"/api/v1/interventions/{ids[str(captcha.task_id)]}"
        assert (await client.post(f"{path}/claim", headers=auth)).status_code == 200
        ws_url = takeover.url.replace("http", "ws") + f"{path}/live"
        async with connect(ws_url, additional_headers=auth) as socket:
            await asyncio.wait_for(socket.recv(), 10)  # the live view runs
            await takeover.bus.publish(UserDeleted(task_id=user, user_id=user))
            with pytest.raises(ConnectionClosed) as closed:
                while True:  # frames until the view ends with its intervention
                    await asyncio.wait_for(socket.recv(), 15)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4410
        assert all(i["task_id"] not in (str(captcha.task_id), str(queued.task_id)) for i in await queue_of(client, me))
        assert (await client.get(path, headers=auth)).status_code == 404

    conn = await asyncpg.connect(
        takeover.child.env["AUTOAPPLY_DATABASE_URL"], server_settings={"search_path": "takeover"}
    )
    try:
        for table in ("interventions", "tasks", "task_ledger"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", user) == 0, table
        rows = await conn.fetch(
            "SELECT action, detail FROM audit WHERE intervention_id = ANY($1::uuid[]) ORDER BY audit_id",
            [uuid.UUID(i) for i in ids.values()],
        )
    finally:
        await conn.close()
    actions = [r["action"] for r in rows]
    assert {"claim", "fail", "view"} <= set(actions)  # who did what, and when, stays
    details = [json.loads(r["detail"]) for r in rows]
    assert all(set(d) <= {"events", "waited_s", "user_deleted"} for d in details)  # only counts are kept
    assert sum(bool(d.get("user_deleted")) for d in details) >= 3
    assert why not in str([r["detail"] for r in rows]) and "Jane" not in takeover.child.tail()
    client = aioredis.from_url(takeover.child.env["AUTOAPPLY_REDIS_URL"], decode_responses=True)
    try:
        left = await client.zrange("takeover:queue", 0, -1)
        claims = [k async for k in client.scan_iter(match="takeover:claim:*")]
    finally:
        await client.aclose()
    assert not set(ids.values()) & set(left) and not any(i in k for k in claims for i in ids.values())


async def test_the_operator_sees_the_task_s_own_screenshot_and_nothing_else_of_the_user(takeover: Takeover) -> None:
    store = objects.LocalObjects(takeover.files)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(64)
    asked: dict[str, str] = {}  # task id -> the screenshot its request names
    for name in ("shot", "resume"):
        queued = queued_event()
        await takeover.bus.publish(queued)
        own = objects.key(queued.user_id, "tasks", str(queued.task_id), "screenshots", "01-question.png")
        resume = objects.key(queued.user_id, "resumes", "cv.pdf")
        await store.put(own, png)
        await store.put(resume, b"%PDF-1.7 the user's resume")
        uri = own if name == "shot" else resume  # a request naming a file that is not its task's screenshot
        asked[str(queued.task_id)] = name
        help_wanted = HumanNeeded(
            task_id=queued.task_id,
            user_id=queued.user_id,
            reason="a question",
            page_url="https://jobs.example.com/42",
            resume_state=TaskState.EXECUTING_RPA,
            screenshot_uri=uri,
        )
        await takeover.bus.publish(help_wanted)
    operator = {"Authorization": f"Bearer {takeover.token()}"}
    async with httpx.AsyncClient(base_url=takeover.url, timeout=10) as client:

        async def both_listed() -> bool:
            listed = {i["task_id"] for i in await queue_of(client, takeover.token())}
            return set(asked) <= listed

        await eventually(both_listed, timeout_s=15)
        for item in await queue_of(client, takeover.token()):
            if item["task_id"] not in asked:
                continue
            where = f"/interventions/{item['intervention_id']}/screenshot"
            page = await client.get(f"/interventions/{item['intervention_id']}", headers=operator)
            assert page.status_code == 200 and where in page.text
            answer = await client.get(where, headers=operator)
            if asked[item["task_id"]] == "shot":
                assert answer.status_code == 200 and answer.content == png
                assert answer.headers["content-type"] == "image/png"
                assert (await client.get(where)).status_code == 401
            else:
                assert answer.status_code == 404 and b"resume" not in answer.content
