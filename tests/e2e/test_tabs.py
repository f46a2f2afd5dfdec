"""One account's browser serves its tasks, a tab each: while the account's first task waits for a
person, its second task of the platform completes in the same browser, in a tab of its own; the live
view shows the waiting task's own tab; then the first is answered and completes. One submission each."""

import asyncio
import json
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.async_api import Page, async_playwright
from websockets.asyncio.client import connect

from contracts.human import HumanNeeded
from contracts.profiles import ProfileReady
from services.executor.browser import target_of
from tests.e2e.stack import Stack, Watcher, candidate, operator_token, takeover_url
from tests.e2e.test_apply import assert_one_application, start_task, submitted
from tests.e2e.test_waits import answer
from tests.intake.client import User, new_user
from tests.sandbox.harness import make_pdf

# Two applications one after the other, and the stack's start when this module runs first (up to
# two minutes when the machine is busy; at load 55 one Greenhouse fill took over 90 s).
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
BUSY_S = 240.0  # the longest wait for one step of a task on a busy machine
# The question left out: a yes/no only the answer bank answers ("Can you work from our <city> office
# three days a week?"), found by the bank's rewordings too, so every answer about the office goes.
LEFT_OUT = "onsite"


def two_jobs(stack: Stack) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two Greenhouse jobs (of those no test switches) and a question the first requires and the
    second does not ask, which only the answer bank answers: left out, it makes the first wait."""
    jobs = stack.sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:11]
    asking = [(j, q) for j in jobs for q in j["questions"] if q["key"] == LEFT_OUT and q["required"]]
    silent = [j for j in jobs if all(q["key"] != LEFT_OUT for q in j["questions"])]
    if asking and silent:
        return asking[0][0], silent[0], asking[0][1]
    raise AssertionError(f"no two Greenhouse jobs where only the first requires {LEFT_OUT}")


async def one_user(http: httpx.AsyncClient, jobs: tuple[dict[str, Any], ...], leave_out: str) -> tuple[User, bytes]:
    """A made-up person who answers both jobs' questions but one, with a resume on file."""
    user = await new_user(http)
    profile = candidate(user.email, jobs[0], leave_out=leave_out)
    for job in jobs[1:]:
        profile["answers"] |= candidate(user.email, job)["answers"]
    profile["answers"] = {k: v for k, v in profile["answers"].items() if k != leave_out and "office" not in k}
    assert (await http.put("/api/v1/profile", headers=user.auth, json=profile)).status_code in (200, 201)
    resume = make_pdf("Ada Example - Resume")
    files = {"file": ("Ada_Example_Resume.pdf", resume, "application/pdf")}
    assert (await http.post("/api/v1/resumes", headers=user.auth, files=files)).status_code == 201
    return user, resume


async def ready(watcher: Watcher, task_id: UUID) -> ProfileReady:
    event = await watcher.wait_for(task_id, ProfileReady.TYPE, timeout_s=BUSY_S)
    assert isinstance(event, ProfileReady) and event.target_id
    return event


async def targets(cdp_url: str) -> set[str]:
    async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
        listed = (await client.get(f"{cdp_url}/json/list")).json()
    return {t["id"] for t in listed if t["type"] == "page"}


async def scroll_of(cdp_url: str, target_id: str) -> float:
    """How far the task's own tab is scrolled, read over CDP."""
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url)
        try:
            pages: list[Page] = [p for c in browser.contexts for p in c.pages]
            for page in pages:
                if await target_of(page) == target_id:
                    return float(await page.evaluate("window.scrollY"))
        finally:
            await browser.close()  # disconnects; the browser stays
    raise AssertionError(f"no tab {target_id}")


async def wheel_in_live_view(stack: Stack, task_id: UUID, delta_y: float) -> None:
    """The operator's wheel, through takeover's live view of the task's request."""
    auth = {"Authorization": f"Bearer {operator_token(stack)}"}
    async with httpx.AsyncClient(base_url=takeover_url(stack), timeout=15) as client:
        for _ in range(100):  # takeover queues the request a moment after human.needed
            listed = (await client.get("/api/v1/interventions", headers=auth)).json()["interventions"]
            mine = [i for i in listed if i["task_id"] == str(task_id)]
            if mine:
                break
            await asyncio.sleep(0.2)
        path = f"/api/v1/interventions/{mine[0]['intervention_id']}"
        assert (await client.post(f"{path}/claim", headers=auth)).status_code == 200
        ws_url = takeover_url(stack).replace("http", "ws") + f"{path}/live"
        async with connect(ws_url, additional_headers=auth) as socket:
            meta = json.loads(await asyncio.wait_for(socket.recv(), 15))
            assert meta["frame"]["width"] > 0
            await socket.send(json.dumps({"type": "mouseWheel", "x": 400, "y": 400, "deltaY": delta_y}))
            await asyncio.sleep(1.0)
        assert (await client.post(f"{path}/release", headers=auth)).status_code == 200


async def test_a_waiting_task_lends_its_browser_and_both_applications_go_out_once(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    waits_job, plain_job, question = two_jobs(stack)
    user, resume = await one_user(http, (waits_job, plain_job), question["label"])
    first = await start_task(http, user, waits_job["url"])
    first_ready = await ready(watcher, first)
    try:
        await watcher.wait_for(first, HumanNeeded.TYPE, timeout_s=BUSY_S)
    except AssertionError:
        print(stack.logs())
        raise

    second = await start_task(http, user, plain_job["url"])
    second_ready = await ready(watcher, second)
    # The same browser (one account, one fingerprint, one IP), a tab of its own.
    assert (second_ready.cdp_url, second_ready.profile_id) == (first_ready.cdp_url, first_ready.profile_id)
    assert second_ready.target_id != first_ready.target_id
    assert {first_ready.target_id, second_ready.target_id} <= await targets(first_ready.cdp_url)

    # The live view shows the waiting task's tab, not the newer one: the operator's wheel scrolls it.
    before = await scroll_of(first_ready.cdp_url, str(first_ready.target_id))
    await wheel_in_live_view(stack, first, -600.0 if before > 0 else 600.0)
    assert await scroll_of(first_ready.cdp_url, str(first_ready.target_id)) != before

    await submitted(watcher, stack, second, BUSY_S)
    await watcher.wait_for(second, "profile.released", timeout_s=BUSY_S)
    assert_one_application(stack, plain_job, user, resume)
    # The second task's end closed its tab only: the first one's page is still there, waiting.
    left = await targets(first_ready.cdp_url)
    assert first_ready.target_id in left and second_ready.target_id not in left
    assert stack.sandbox.submissions(site="greenhouse", job_id=waits_job["job_id"], email=user.email) == []

    await answer(stack, first, {question["label"]: "Yes"})
    event = await submitted(watcher, stack, first, BUSY_S)
    record = assert_one_application(stack, waits_job, user, resume)
    assert record["fields"][question["id"]] == "Yes"
    assert next(f for f in event.fields if f.label == question["label"]).provenance == "operator"
    await watcher.wait_for(first, "profile.released", timeout_s=BUSY_S)  # the last task: the browser stops
    with pytest.raises(httpx.TransportError):
        await targets(first_ready.cdp_url)
