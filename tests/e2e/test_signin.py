"""LinkedIn behind its sign-in wall, through the real services and the sandbox: without a stored
account the task waits for the user, who signs in once through the live view on their own page (in
a real Chromium: clicks on the picture where the wall's fields are, types, presses Done), then
passes two-step verification the same way while the account's other task is held; later tasks
reuse the session, across a browser restart; a checkpoint pauses the account and holds its other
tasks, and an operator the user allowed passes it; a daily limit pauses it until the platform's next
day and sends the task back to the provisioner."""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import nats
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from contracts.human import HumanNeeded
from contracts.tasks import TaskRetrying
from runtime import tickets
from runtime.deadletter import list_dead_letters
from tests.e2e import seeker_view
from tests.e2e.stack import Stack, Watcher, applicant, candidate, operator_token, takeover_url
from tests.e2e.test_apply import assert_one_application, start_task, submitted
from tests.e2e.test_workday_credentials import executor_rows
from tests.intake.client import User
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
PASSWORD = "Linked-in-pass-7"
PIN = "#input__phone_verification_pin"  # two-step verification's code field


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


async def signs_in_on_their_page(stack: Stack, page: Page, watcher: Watcher, user: User, task_id: UUID) -> int:
    """The user's page shows the task's browser at the wall: they click into its fields on the
    picture, type their account and press Enter, then Done, I signed in."""
    await seeker_view.shows_the_browser(page)
    cdp_url = watcher.of(task_id, "profile.ready")[-1].cdp_url  # type: ignore[attr-defined]
    spots = await seeker_view.spots(cdp_url, "#username", "#password")
    await seeker_view.click_at(page, spots, "#username")
    await page.keyboard.type(user.email)
    await seeker_view.click_at(page, spots, "#password")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    # Each key is a round trip to the task's browser: about a hundred of them, slow on a loaded machine.
    await eventually(lambda: signins(stack, user) == 1, timeout_s=120)
    return await done_on_their_page(page)


async def waits_for_them(http: httpx.AsyncClient, user: User, task_id: UUID, barrier: str) -> None:
    """intake's task says it waits for the user to pass this barrier (what their page shows)."""
    seen: list[dict[str, Any]] = []

    async def waiting() -> bool:
        seen.append((await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json())
        return (seen[-1].get("waiting") or {}).get("sign_in") == barrier

    try:
        await eventually(waiting, timeout_s=120, every_s=0.5)
    except AssertionError:
        said = [(e["type"], e["applied"], e["at"]) for e in seen[-1].get("timeline", [])]
        raise AssertionError(f"the task does not wait for {barrier}: {seen[-1].get('state')} {said}") from None


async def passes_two_step_on_their_page(
    stack: Stack, page: Page, watcher: Watcher, user: User, task_id: UUID, frames_before: int
) -> None:
    """The page shows the browser again for the two-step wait, with its reason (a new frame: the
    page as it is now); the user types the code their phone shows into the challenge on the
    picture, sends it, and presses Done."""
    await expect(page.get_by_role("button", name="Done, I signed in")).to_be_enabled(timeout=30_000)
    await expect(page.locator("#signin-reason")).to_have_text("The site asks for your two-step verification code.")
    await seeker_view.shows_the_browser(page, frames_before)
    code = next(c["code"] for c in challenges(stack, user) if c["kind"] == "two_step")
    cdp_url = watcher.of(task_id, "profile.ready")[-1].cdp_url  # type: ignore[attr-defined]
    spots = await seeker_view.spots(cdp_url, PIN)
    await seeker_view.click_at(page, spots, PIN)
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")
    await eventually(lambda: challenges(stack, user) == [], timeout_s=60)  # the site took the code
    await done_on_their_page(page)


async def done_on_their_page(page: Page) -> int:
    """Done, I signed in; the frames drawn until then (the view closes with it)."""
    await page.get_by_role("button", name="Done, I signed in").click()
    await expect(page.locator("#signin-notice")).to_contain_text("the application goes on from here")
    await expect(page.get_by_role("button", name="Done, I signed in")).to_be_disabled()
    return await seeker_view.frames(page)


def challenges(stack: Stack, user: User) -> list[dict[str, Any]]:
    found = stack.sandbox.get("/_admin/challenges")["challenges"]
    return [c for c in found if c["email"] == user.email]


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


async def paused_shown(http: httpx.AsyncClient, user: User, *reasons: str) -> list[dict[str, Any]]:
    """The user's paused accounts once intake's read model shows these reasons: it folds the
    account.paused event a moment after the bus carried it."""
    shown: list[dict[str, Any]] = []

    async def shows() -> bool:
        nonlocal shown
        shown = await paused_accounts(http, user)
        return [p["reason"] for p in shown] == list(reasons)

    await eventually(shows, timeout_s=10)
    return shown


@contextmanager
def two_step(stack: Stack, job: dict[str, Any]) -> Iterator[None]:
    stack.sandbox.set_flags("linkedin", job["job_id"], two_step=True)
    try:
        yield
    finally:
        stack.sandbox.set_flags("linkedin", job["job_id"], two_step=False)


@pytest.mark.timeout(480)  # the first test of a run also waits for the stack to start
async def test_the_user_signs_in_and_passes_two_step_on_their_page_and_later_tasks_reuse_the_session(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, chromium_browser: Browser
) -> None:
    first, second, limited = (stack.sandbox.job("linkedin", i) for i in (2, 4, 6))
    with two_step(stack, first):  # off again after: the stored-account test below applies to it
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
            page = await seeker_view.their_page(chromium_browser, stack.intake_url, user, task_id)
            frames = await signs_in_on_their_page(stack, page, watcher, user, task_id)
            again = await http.post(f"/api/v1/tasks/{task_id}/signed-in", headers=user.auth)
            assert again.status_code == 409, again.text  # once per wait

            # Then two-step verification: the account waits for the user, and its other task is held.
            check = await needed(watcher, stack, task_id, count=2)
            assert check.sign_in == "two_step" and "two-step verification" in check.reason
            assert "/checkpoint/challenge/" in (check.page_url or "")
            held = await start_task(http, user, second["url"])
            why = "waiting: linkedin asks this account for two-step verification"
            await eventually(lambda: any(e.detail == why for e in watcher.of(held, "task.progress")), timeout_s=60)  # type: ignore[attr-defined]
            assert watcher.of(held, "profile.ready") == []
            await eventually(lambda: len(paused.of(user)) == 1, timeout_s=10)
            assert (paused.of(user)[0]["reason"], paused.of(user)[0]["until"]) == ("two_step", None)
            await waits_for_them(http, user, task_id, "two_step")
            await passes_two_step_on_their_page(stack, page, watcher, user, task_id, frames)
            await page.context.close()

            await submitted(watcher, stack, task_id)
            assert_one_application(stack, first, user, resume)
            resolved = watcher.of(task_id, "human.resolved")
            by = [(e.operator_id, e.resolution) for e in resolved]  # type: ignore[attr-defined]
            assert by == [(f"user:{user.user_id}", "signed_in"), (f"user:{user.user_id}", "two_step_passed")]
            trail = await audited(stack, user)
            assert ("view", 0) in trail and any(a == "input" and n >= 2 * len(PASSWORD) for a, n in trail), trail
            await nowhere(stack, watcher, PASSWORD)  # typed key by key through the live view
            # The held task gets the account's browser once the user passed the check: no wall, no check.
            await submitted(watcher, stack, held)
            assert_one_application(stack, second, user, resume)
            assert watcher.of(held, HumanNeeded.TYPE) == [] and signins(stack, user) == 1
            await eventually(lambda: len(paused.of(user)) == 2, timeout_s=10)
            assert paused.of(user)[1]["until"] is not None  # the pause ended when the user passed it
            await watcher.wait_for(held, "profile.released", timeout_s=60)

            # The next task starts the account's browser again, from its user-data-dir: still signed in.
            stack.sandbox.set_flags("linkedin", limited["job_id"], daily_limit=True)
            stopped = await start_task(http, user, limited["url"])
            back = await watcher.wait_for(stopped, TaskRetrying.TYPE, timeout_s=90)
            assert isinstance(back, TaskRetrying) and "Easy Apply application limit" in back.reason
            midnight = (datetime.now(UTC) + timedelta(days=1)).date().isoformat() + "T00:00:00"
            # The pause is its own event: it may land a moment after the task's retry.
            await eventually(lambda: paused.of(user)[-1]["reason"] == "daily_limit", timeout_s=10)
            assert paused.of(user)[-1]["until"].startswith(midnight)
            shown = await paused_shown(http, user, "daily_limit")
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
        await paused_shown(http, user, "checkpoint")  # intake shows this pause and no other
        await in_the_live_browser(watcher, task_id, "checkpoint")
        await resolve(stack, task_id, "checkpoint_passed")
        await submitted(watcher, stack, task_id)
        assert_one_application(stack, job, user, resume)
        await eventually(lambda: len(paused.of(user)) == 2, timeout_s=10)
        assert paused.of(user)[1]["until"] is not None  # the pause ended when the user passed it
        await eventually(lambda: _no_pause(http, user), timeout_s=10)


async def nowhere(stack: Stack, watcher: Watcher, secret: str) -> None:
    """A password is in no service's log, no span the services exported, no event on the bus and
    no dead letter."""
    texts = {name: child.log.read_text(errors="replace") for name, child in stack.children.items()}
    spans = stack.folder / "traces" / "spans.jsonl"
    assert spans.exists()  # the services do export their spans here
    texts["spans"] = spans.read_text(errors="replace")
    client = await nats.connect(stack.nats_url)
    try:
        letters = await list_dead_letters(client.jetstream(), limit=10_000)
    finally:
        await client.close()
    texts["dead letters"] = "".join(f"{d.reason}{d.headers}{d.payload.decode(errors='replace')}" for d in letters)
    for where, text in texts.items():
        assert secret not in text, where
    assert not any(secret in e.model_dump_json() for e in watcher.seen)


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
    await nowhere(stack, watcher, PASSWORD)  # the password typed
    await nowhere(stack, watcher, "Not-the-password-1")  # and the one the site refused


async def _no_pause(http: httpx.AsyncClient, user: User) -> bool:
    return await paused_accounts(http, user) == []
