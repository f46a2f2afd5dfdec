"""LinkedIn behind its sign-in wall, through the real services and the sandbox: without a stored
account the task waits for the user, who signs in once through the live view on their own page
(takeover's live view, opened with a ticket from intake, typed into with the page script's own
messages) and presses Done; later tasks reuse the session, across a browser restart; a checkpoint
pauses the account and holds its other tasks, and an operator the user allowed passes it; a daily
limit pauses it until the platform's next day and sends the task back to the provisioner."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import nats
import pytest
from playwright.async_api import async_playwright

from contracts.human import HumanNeeded
from contracts.tasks import TaskRetrying
from runtime import tickets
from tests.e2e import seeker_view
from tests.e2e.stack import Stack, Watcher, applicant, candidate, operator_token, takeover_url
from tests.e2e.test_apply import assert_one_application, start_task, submitted
from tests.e2e.test_workday_credentials import executor_rows
from tests.intake.client import User
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
PASSWORD = "Linked-in-pass-7"


class Paused:
    """Every user.account_paused on the bus (account events are not in the task families)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def __aenter__(self) -> "Paused":
        self._nc = await nats.connect(self.url)
        await self._nc.subscribe("user.account_paused.*", cb=self._on)
        return self

    async def _on(self, msg: Any) -> None:
        self.seen.append(json.loads(msg.data))

    async def __aexit__(self, *_: object) -> None:
        await self._nc.close()

    def of(self, user: User) -> list[dict[str, Any]]:
        return [p for p in self.seen if p["user_id"] == user.user_id]

    url = ""


async def needed(watcher: Watcher, stack: Stack, task_id: UUID, count: int = 1) -> HumanNeeded:
    try:
        await eventually(lambda: len(watcher.of(task_id, HumanNeeded.TYPE)) >= count, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    event = watcher.of(task_id, HumanNeeded.TYPE)[count - 1]
    assert isinstance(event, HumanNeeded)
    return event


async def resolve(stack: Stack, task_id: UUID, resolution: str) -> None:
    headers = {"Authorization": f"Bearer {operator_token(stack)}"}
    async with httpx.AsyncClient(base_url=takeover_url(stack), timeout=15) as client:
        for _ in range(100):  # takeover queues the intervention a moment after human.needed
            done = await client.post(
                f"/api/v1/tasks/{task_id}/human-resolved", headers=headers, json={"resolution": resolution}
            )
            if done.status_code != 409 and done.status_code != 404:
                break
            await asyncio.sleep(0.2)
    assert done.status_code == 200, done.text


async def in_the_live_browser(watcher: Watcher, task_id: UUID, act: str, **values: str) -> None:
    """What the person does in the task's own browser: sign in, or pass the security check."""
    cdp_url = watcher.of(task_id, "profile.ready")[-1].cdp_url  # type: ignore[attr-defined]
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(cdp_url)
        page = next(p for p in browser.contexts[0].pages if p.url.startswith("http"))
        if act == "sign_in":
            await page.fill("#username", values["email"])
            await page.fill("#password", values["password"])
            async with page.expect_navigation():
                await page.click("button[type=submit]")
        else:
            await page.check("#not-a-robot")
            async with page.expect_navigation():
                await page.click("#checkpoint-submit-button")
        await browser.close()  # the CDP connection only: the browser stays the provisioner's


async def signs_in_on_their_page(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, user: User, task_id: UUID
) -> seeker_view.View:
    """The user's page: the live view of the task's browser; they click into the wall's fields, type
    their account and press Enter, as liveview.js sends it; then Done, I signed in."""
    view = await seeker_view.open_view(await seeker_view.socket_url(http, user, task_id))
    cdp_url = watcher.of(task_id, "profile.ready")[-1].cdp_url  # type: ignore[attr-defined]
    at = await seeker_view.boxes(cdp_url, "#username", "#password")
    await view.click(at["#username"])
    await view.type(user.email)
    await view.click(at["#password"])
    await view.type(PASSWORD)
    await view.enter()
    # Each key is a round trip to the task's browser: about a hundred of them, slow on a loaded machine.
    await eventually(lambda: signins(stack, user) == 1, timeout_s=120)
    done = await http.post(f"/api/v1/tasks/{task_id}/signed-in", headers=user.auth)
    assert done.status_code == 202, done.text
    again = await http.post(f"/api/v1/tasks/{task_id}/signed-in", headers=user.auth)
    assert again.status_code == 409, again.text  # once
    return view


async def nobody_else_gets_in(stack: Stack, http: httpx.AsyncClient, user: User, task_id: UUID) -> None:
    """Another user gets no ticket and no view of this task; nor does a ticket forged, used twice,
    or naming someone else; operators do not see the wait (the user did not allow them)."""
    other, _ = await applicant(http, stack.sandbox.job("linkedin", 2))
    assert (await seeker_view.ticket(http, other, task_id)).status_code == 404
    url = await seeker_view.socket_url(http, user, task_id)
    base = url.split("ticket=")[0]
    secret = stack.children["takeover"].env["AUTOAPPLY_SECRET_KEY"]
    theirs = tickets.encode(tickets.issue(UUID(other.user_id), task_id), secret)
    assert await seeker_view.refused(base + "ticket=" + theirs)  # signed, but for another user
    assert await seeker_view.refused(
        base + "ticket=" + tickets.encode(tickets.issue(UUID(user.user_id), task_id), "x" * 64)
    )
    assert not await seeker_view.refused(url)
    assert await seeker_view.refused(url)  # a ticket is good once
    headers = {"Authorization": f"Bearer {operator_token(stack)}"}
    async with httpx.AsyncClient(base_url=takeover_url(stack), timeout=15) as client:
        listed = (await client.get("/api/v1/interventions", headers=headers)).json()["interventions"]
        assert str(task_id) not in {i["task_id"] for i in listed}
        hidden = await client.post(f"/api/v1/tasks/{task_id}/human-resolved", headers=headers, json={})
        assert hidden.status_code == 404, hidden.text


async def audited(stack: Stack, user: User) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(stack.dsn)
    try:
        rows = await conn.fetch(
            "SELECT action, detail FROM takeover.audit WHERE operator_id = $1 ORDER BY audit_id", f"user:{user.user_id}"
        )
    finally:
        await conn.close()
    return [(r["action"], int(json.loads(r["detail"]).get("events", 0))) for r in rows]


async def profile_for(http: httpx.AsyncClient, user: User, *jobs: dict[str, Any], operators: bool = False) -> None:
    """The user's profile answers every question of these jobs."""
    merged = candidate(user.email, jobs[0])
    merged["preferences"]["operators_may_sign_in"] = operators
    for job in jobs[1:]:
        merged["answers"] |= candidate(user.email, job)["answers"]
    for job in jobs:  # the user's own yes to a job's consent box
        merged["answers"] |= {q["label"]: "Yes" for q in job["questions"] if q["kind"] == "checkbox"}
    answer = await http.put("/api/v1/profile", headers=user.auth, json=merged)
    assert answer.status_code in (200, 201), answer.text


def member(stack: Stack, user: User) -> None:
    account = {"site": "linkedin", "email": user.email, "password": PASSWORD, "name": "Ada Example"}
    stack.sandbox.post("/_admin/accounts", account)


def signins(stack: Stack, user: User) -> int:
    return len(stack.sandbox.get("/_admin/signins", site="linkedin", email=user.email)["signins"])


async def paused_accounts(http: httpx.AsyncClient, user: User) -> list[dict[str, Any]]:
    me = await http.get("/api/v1/me", headers=user.auth)
    assert me.status_code == 200, me.text
    found: list[dict[str, Any]] = me.json()["paused_accounts"]
    return found


@pytest.mark.timeout(480)  # the first test of a run also waits for the stack to start
async def test_the_user_signs_in_once_and_later_tasks_reuse_the_session_until_a_daily_limit(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    first, second, limited = (stack.sandbox.job("linkedin", i) for i in (2, 4, 6))
    user, resume = await applicant(http, first)
    await profile_for(http, user, first, second, limited)
    member(stack, user)
    Paused.url = stack.nats_url
    async with Paused() as paused:
        task_id = await start_task(http, user, first["url"])
        wall = await needed(watcher, stack, task_id)
        assert wall.reason.startswith("sign-in required on linkedin") and wall.screenshot_uri
        assert "/linkedin/login" in (wall.page_url or "") and stack.sandbox.submissions(email=user.email) == []
        assert wall.sign_in == "wall"
        await nobody_else_gets_in(stack, http, user, task_id)
        view = await signs_in_on_their_page(stack, http, watcher, user, task_id)
        await submitted(watcher, stack, task_id)
        assert_one_application(stack, first, user, resume)
        await view.close()
        resolved = watcher.of(task_id, "human.resolved")
        assert [(e.operator_id, e.resolution) for e in resolved] == [(f"user:{user.user_id}", "signed_in")]  # type: ignore[attr-defined]
        trail = await audited(stack, user)
        assert ("view", 0) in trail and any(a == "input" and n >= 2 * len(PASSWORD) for a, n in trail), trail
        await watcher.wait_for(task_id, "profile.released", timeout_s=60)  # its browser stopped

        # The next task starts the account's browser again, from its user-data-dir: still signed in.
        again = await start_task(http, user, second["url"])
        await submitted(watcher, stack, again)
        assert_one_application(stack, second, user, resume)
        assert watcher.of(again, HumanNeeded.TYPE) == [] and signins(stack, user) == 1
        await watcher.wait_for(again, "profile.released", timeout_s=60)

        stack.sandbox.set_flags("linkedin", limited["job_id"], daily_limit=True)
        stopped = await start_task(http, user, limited["url"])
        back = await watcher.wait_for(stopped, TaskRetrying.TYPE, timeout_s=90)
        assert isinstance(back, TaskRetrying) and "Easy Apply application limit" in back.reason
        midnight = (datetime.now(UTC) + timedelta(days=1)).date().isoformat() + "T00:00:00"
        assert paused.of(user)[-1]["reason"] == "daily_limit" and paused.of(user)[-1]["until"].startswith(midnight)
        shown = await paused_accounts(http, user)
        assert [(p["platform"], p["reason"]) for p in shown] == [("linkedin", "daily_limit")]
        assert shown[0]["until"].startswith(midnight) and shown[0]["task_id"] == str(stopped)
        # (Another job of the account getting no browser meanwhile: tests/provisioner/test_pauses.py.)
        assert watcher.of(stopped, "profile.ready")[1:] == []
        assert stack.sandbox.submissions(site="linkedin", job_id=limited["job_id"], email=user.email) == []
        cancelled = await http.post(f"/api/v1/tasks/{stopped}/cancel", headers=user.auth)
        assert cancelled.status_code in (200, 202), cancelled.text


async def test_a_checkpoint_pauses_the_account_and_waits_for_the_user(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = stack.sandbox.job("linkedin", 7)
    stack.sandbox.set_flags("linkedin", job["job_id"], checkpoint=True)
    user, resume = await applicant(http, job)
    await profile_for(http, user, job, operators=True)  # this user lets an operator help
    member(stack, user)
    Paused.url = stack.nats_url
    async with Paused() as paused:
        task_id = await start_task(http, user, job["url"])
        await needed(watcher, stack, task_id)
        await in_the_live_browser(watcher, task_id, "sign_in", email=user.email, password=PASSWORD)
        await resolve(stack, task_id, "signed_in")
        check = await needed(watcher, stack, task_id, count=2)
        assert check.sign_in == "checkpoint"
        # The account's other job gets no browser while the checkpoint waits, and says why.
        held = await start_task(http, user, stack.sandbox.job("linkedin", 8)["url"])
        why = "waiting: linkedin asks this account for a security check"
        await eventually(lambda: any(e.detail == why for e in watcher.of(held, "task.progress")), timeout_s=60)  # type: ignore[attr-defined]
        assert watcher.of(held, "profile.ready") == []
        await http.post(f"/api/v1/tasks/{held}/cancel", headers=user.auth)
        assert "security check" in check.reason and "/checkpoint/challenge/" in (check.page_url or "")
        await eventually(lambda: len(paused.of(user)) == 1, timeout_s=10)
        assert (paused.of(user)[0]["reason"], paused.of(user)[0]["until"]) == ("checkpoint", None)
        assert [p["reason"] for p in await paused_accounts(http, user)] == ["checkpoint"]
        await in_the_live_browser(watcher, task_id, "checkpoint")
        await resolve(stack, task_id, "checkpoint_passed")
        await submitted(watcher, stack, task_id)
        assert_one_application(stack, job, user, resume)
        await eventually(lambda: len(paused.of(user)) == 2, timeout_s=10)
        assert paused.of(user)[1]["until"] is not None  # the pause ended when the user passed it
        await eventually(lambda: _no_pause(http, user), timeout_s=10)


async def store_account(stack: Stack, http: httpx.AsyncClient, user: User, password: str) -> None:
    """The user stores their LinkedIn account at intake; the executor has its sealed copy after."""
    body = {"platform": "linkedin", "username": user.email, "password": password}
    stored = await http.put("/api/v1/credentials", headers=user.auth, json=body)
    assert stored.status_code == 201, stored.text
    await eventually(lambda: _stored_at_the_executor(stack, user), timeout_s=20)


async def _stored_at_the_executor(stack: Stack, user: User) -> bool:
    return len(await executor_rows(stack, user.user_id)) == 1


async def test_a_stored_account_passes_the_wall_once_and_a_wrong_one_goes_to_the_user(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    first = stack.sandbox.job("linkedin", 2)  # the session lasting is the test above's
    user, resume = await applicant(http, first)
    await profile_for(http, user, first)
    member(stack, user)
    await store_account(stack, http, user, PASSWORD)
    task_id = await start_task(http, user, first["url"])
    await submitted(watcher, stack, task_id)
    assert_one_application(stack, first, user, resume)
    assert watcher.of(task_id, HumanNeeded.TYPE) == [] and signins(stack, user) == 1
    steps = [e.step for e in watcher.of(task_id, "task.progress")]  # type: ignore[attr-defined]
    assert "sign_in" in steps

    wrong, _ = await applicant(http, first)
    member(stack, wrong)
    await store_account(stack, http, wrong, "Not-the-password-1")
    refused = await start_task(http, wrong, first["url"])
    asked = await needed(watcher, stack, refused)
    assert asked.reason.startswith("linkedin refused the stored account") and signins(stack, wrong) == 0
    assert stack.sandbox.submissions(email=wrong.email) == []
    await http.post(f"/api/v1/tasks/{refused}/cancel", headers=wrong.auth)
    for name, child in stack.children.items():  # the password typed is in no log and no event
        assert PASSWORD not in child.log.read_text(errors="replace"), name
    assert not any(PASSWORD in e.model_dump_json() for e in watcher.seen)


async def _no_pause(http: httpx.AsyncClient, user: User) -> bool:
    return await paused_accounts(http, user) == []
