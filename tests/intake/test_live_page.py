"""The application's page stays live in a real Chromium when its socket is refused, dropped, or
told of an event before the read model has it: the page shows every later state without a reload."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, expect

from contracts.human import HumanNeeded, Question
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.tasks import TaskProgress
from tests.e2e import seeker_view
from tests.intake.client import Intake, User
from tests.intake.test_live import new_task, publisher
from tests.support import eventually

# The timeout covers the package intake's start too, when this module is the first of its worker to use it.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
ASKED = "How did you hear about us?"
CDP = "ws://127.0.0.1:1/devtools"  # never opened: the page only shows the state
SHOWN_S = 20_000  # ms: a state the page must show, on a loaded machine


class Sockets:
    """The page's task sockets as the test lets them through: the first refused as intake refuses
    a task it does not know (4404), every later one passed to intake, each kept to be dropped."""

    def __init__(self) -> None:
        self.opened: list[WebSocketRoute] = []

    async def route(self, ws: WebSocketRoute) -> None:
        self.opened.append(ws)
        if len(self.opened) == 1:
            await ws.close(code=4404, reason="no such task")
            return
        ws.connect_to_server()


async def their_page(browser: Browser, intake: Intake, user: User, task_id: str, sockets: Sockets) -> Page:
    context = await browser.new_context(base_url=intake.url)
    await context.route_web_socket(re.compile(rf"/api/v1/tasks/{task_id}/ws"), sockets.route)
    return await seeker_view.signed_in(context, user, task_id)


@asynccontextmanager
async def read_model_held(dsn: str, task_id: str) -> AsyncIterator[None]:
    """intake's read model waits on this task's lock (it folds each event under it) while held:
    the socket tells of events the task's HTTP answer does not have yet."""
    conn = await asyncpg.connect(dsn)
    key = f"intake task {task_id}"
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
        await conn.close()


async def test_the_task_page_shows_later_states_after_a_refused_and_a_dropped_socket_and_a_late_read_model(
    http: httpx.AsyncClient, intake: Intake, chromium_browser: Browser
) -> None:
    user, task_id = await new_task(http)
    ids = {"task_id": UUID(task_id), "user_id": UUID(user.user_id)}
    sockets = Sockets()
    page = await their_page(chromium_browser, intake, user, task_id, sockets)
    status = page.locator("#task-summary .pill")
    await expect(status).to_have_text("Queued", timeout=SHOWN_S)
    async with publisher(intake) as bus:
        # Refused first: the page tries again and, once in, hears of the browser being prepared.
        await eventually(lambda: len(sockets.opened) > 1, timeout_s=SHOWN_S / 1000)
        await bus.publish(TaskProgress(**ids, state=TaskState.PROVISIONING, step="start_browser"))
        await expect(status).to_have_text("Preparing a browser", timeout=SHOWN_S)

        # Dropped: what happens while it is down shows after the page reconnects from its cursor.
        connected = len(sockets.opened)
        await sockets.opened[-1].close(code=1011, reason="gone")
        await bus.publish(ProfileReady(**ids, profile_id="p-1", provider="local", platform="generic", cdp_url=CDP))
        await expect(status).to_have_text("Browser ready", timeout=SHOWN_S)
        assert len(sockets.opened) > connected

        # Told before the read model has it: the page reads again until it does.
        for state in (TaskState.NAVIGATING, TaskState.ANALYZING, TaskState.EXECUTING_RPA):
            await bus.publish(TaskProgress(**ids, state=state))
        await expect(status).to_have_text("Filling the form", timeout=SHOWN_S)
        async with read_model_held(intake.servers["dsn"], task_id):
            asked = Question(label=ASKED, widget="text")
            await bus.publish(
                HumanNeeded(
                    **ids,
                    reason="unanswered",
                    resume_state=TaskState.EXECUTING_RPA,
                    questions=(ASKED,),
                    fields=(asked,),
                )
            )
            await page.wait_for_timeout(1500)  # the socket told the page; its read found the old state
            await expect(status).to_have_text("Filling the form")
    await expect(status).to_have_text("Waiting for your answer", timeout=SHOWN_S)
    await expect(page.locator("#question")).to_be_visible()
    await expect(page.get_by_label(ASKED)).to_be_visible()
    await page.context.close()
