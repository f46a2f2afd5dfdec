"""A person unblocks a task in a real browser, through the real services: an operator signs in to
the operator page, sees the task's request appear, works the task's own browser in the live view
(the clicks travel as CDP input events) and presses Resolved; the executor goes on by itself.
An answer the operator gives is banked, so the same question never needs a person twice; and a
request nobody takes times out and fails the task."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, Frame, Page

from contracts.applications import ApplicationCompleted
from contracts.human import CaptchaDetected, HumanNeeded, HumanTimeout
from contracts.profiles import ProfileReady
from tests.e2e.stack import Stack, Watcher, applicant, takeover_url
from tests.e2e.test_apply import start_task, submitted
from tests.e2e.test_trace import spans_of
from tests.intake.client import PASSWORD, User, as_sql, new_user
from tests.processes import Child, wait_healthy

# The first test of the e2e package also waits for the stack to start (up to two minutes when busy).
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
HEAR = "How did you hear about this job?"


@pytest.fixture
async def operator(stack: Stack, http: httpx.AsyncClient) -> User:
    """An intake account with the operator role (a made-up person)."""
    who = await new_user(http, name="Olive Operator")
    await as_sql(stack.dsn, "UPDATE users SET role = 'operator' WHERE email = $1", who.email)
    return who


@pytest.fixture
async def page(chromium_browser: Browser, stack: Stack, operator: User) -> AsyncIterator[Page]:
    """The operator page, signed in through its own form."""
    context = await chromium_browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    await tab.goto(takeover_url(stack) + "/login")
    await tab.fill("#email", operator.email)
    await tab.fill("#password", PASSWORD)
    await tab.click("button[type=submit]")
    await tab.wait_for_selector("#queue-body")
    try:
        yield tab
    finally:
        await context.close()
    assert errors == [], errors


async def open_request(page: Page, task_id: UUID) -> None:
    """Waits for the task's row in the live queue and opens it; the live view shows a frame."""
    row = page.locator(f'#queue-body tr[data-task="{task_id}"]')
    await row.locator("a.open").click(timeout=90_000)
    await page.wait_for_selector("#screen-status:text('live')", timeout=30_000)
    await page.wait_for_selector("#screen[data-frames]", timeout=30_000)


async def task_page(browser: Browser, cdp_url: str, host: str) -> tuple[Browser, Page]:
    """The task's own page, for the test to see what the person sees (never to act on it)."""
    seen = await browser.browser_type.connect_over_cdp(cdp_url)
    return seen, next(p for c in seen.contexts for p in c.pages if host in p.url)


async def click_in_view(page: Page, shown: Page, frame: Frame, selector: str) -> None:
    """A click on the live view where the task's page shows the element (scaled to the picture)."""
    box = await frame.locator(selector).bounding_box()
    canvas = await page.locator("#screen").bounding_box()
    width, height = await shown.evaluate("() => [innerWidth, innerHeight]")
    assert box is not None and canvas is not None
    x = canvas["x"] + (box["x"] + box["width"] / 2) * canvas["width"] / width
    y = canvas["y"] + (box["y"] + box["height"] / 2) * canvas["height"] / height
    await page.mouse.click(x, y)
    await asyncio.sleep(0.15)  # a person's pace; each click is its own pair of input events


async def captcha_frame(shown: Page, timeout_s: float = 20) -> Frame:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in shown.frames:
            if "/_captcha/frame" in frame.url and await frame.locator(".captcha-tile").count():
                return frame
        await asyncio.sleep(0.2)
    raise AssertionError("the task's page shows no CAPTCHA")


async def audit_of(stack: Stack, task_id: UUID) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(stack.dsn, server_settings={"search_path": "takeover"})
    try:
        rows = await conn.fetch(
            "SELECT a.operator_id, a.action, a.detail FROM audit a JOIN interventions i USING (intervention_id) "
            "WHERE i.task_id = $1 ORDER BY a.audit_id",
            task_id,
        )
    finally:
        await conn.close()
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


async def task_answer(http: httpx.AsyncClient, user: User, task_id: UUID) -> dict[str, Any]:
    answer = await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def waiting_for_a_person(http: httpx.AsyncClient, user: User, task_id: UUID) -> dict[str, Any]:
    """The user's own view of the task while it waits: the state and why."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        task = await task_answer(http, user, task_id)
        if task["state"] == "HUMAN_TAKEOVER" and task.get("waiting"):
            return task
        await asyncio.sleep(0.2)
    raise AssertionError(f"the task does not say it waits for a person: {task}")


async def test_an_operator_solves_the_captcha_in_the_live_view_and_the_task_completes(
    stack: Stack,
    http: httpx.AsyncClient,
    watcher: Watcher,
    page: Page,
    operator: User,
    chromium_browser: Browser,
    tmp_path: Path,
) -> None:
    job = stack.sandbox.job("lever", 12)  # Lever's CAPTCHA job: the challenge comes after the submit click
    assert job["flags"]["captcha"]
    user, _ = await applicant(http, job)
    task_id = await start_task(http, user, job["url"])
    try:
        await watcher.wait_for(task_id, CaptchaDetected.TYPE, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    task = await waiting_for_a_person(http, user, task_id)
    assert task["waiting"]["kind"] == "captcha" and "CAPTCHA" in task["waiting"]["reason"]
    ready = watcher.of(task_id, ProfileReady.TYPE)[0]
    assert isinstance(ready, ProfileReady)

    await open_request(page, task_id)
    seen, shown = await task_page(chromium_browser, ready.cdp_url, "/lever/")
    try:
        frame = await captcha_frame(shown)
        await asyncio.sleep(0.5)  # the next frame shows the challenge
        await page.screenshot(path=str(tmp_path / "intervention.png"))  # to look at: the page at work
        challenge = await frame.locator("#captcha-challenge").input_value()
        for n in stack.sandbox.get(f"/_admin/captcha/{challenge}")["answer"]:  # what the person sees
            await click_in_view(page, shown, frame, f'.captcha-tile[data-n="{n}"]')
        await click_in_view(page, shown, frame, "#captcha-verify")
    finally:
        await seen.close()  # over CDP this only lets go; the task's browser stays
    await page.click("#resolve")
    await page.wait_for_selector("#notice:text('Resolved')", timeout=15_000)

    try:
        done = await watcher.wait_for(task_id, ApplicationCompleted.TYPE, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    assert isinstance(done, ApplicationCompleted)
    assert len(stack.sandbox.submissions(site="lever", job_id=job["job_id"], email=user.email)) == 1
    actions = [(a["operator_id"], a["action"]) for a in await audit_of(stack, task_id)]
    assert {("claim"), ("view"), ("input"), ("resolve")} <= {a for _, a in actions}
    assert {o for o, _ in actions} == {operator.user_id}
    clicks = next(a for a in await audit_of(stack, task_id) if a["action"] == "input")
    assert clicks["detail"]["events"] >= 4  # mouse moves, presses and releases reached the browser

    # The operator's part is in the task's trace: the request queued, the resolve, the executor going on.
    wanted = {
        ("takeover", "handle captcha.detected"),
        ("takeover", "step operator resolve"),
        ("executor", "handle human.resolved"),
        ("verifier", "handle application.submitted"),
    }
    spans = await spans_of(stack, task["trace_id"], lambda found: wanted <= {(s["service"], s["name"]) for s in found})
    assert wanted <= {(s["service"], s["name"]) for s in spans}


def jobs_asking(stack: Stack, label: str) -> list[dict[str, Any]]:
    """Greenhouse jobs that require an answer to the question (jobs no other test switches)."""
    jobs = stack.sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][5:11]
    return [j for j in jobs if any(q["label"] == label and q["required"] for q in j["questions"])]


async def keeps_operator_answers(http: httpx.AsyncClient, user: User) -> None:
    profile = (await http.get("/api/v1/profile", headers=user.auth)).json()
    profile["preferences"]["save_operator_answers"] = True
    saved = await http.put("/api/v1/profile", headers=user.auth, json=profile)
    assert saved.status_code in (200, 201), saved.text


async def banked(http: httpx.AsyncClient, user: User, label: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answers = (await http.get("/api/v1/profile", headers=user.auth)).json()["answers"]
        if label in answers:
            found: dict[str, Any] = answers[label]
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"{label!r} never reached the answer bank")


async def test_an_answer_given_in_the_page_is_banked_and_the_next_application_needs_no_one(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, page: Page
) -> None:
    first_job, second_job = jobs_asking(stack, HEAR)[:2]
    user, _ = await applicant(http, first_job, leave_out=HEAR)
    await keeps_operator_answers(http, user)
    task_id = await start_task(http, user, first_job["url"])
    try:
        await watcher.wait_for(task_id, HumanNeeded.TYPE, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    task = await waiting_for_a_person(http, user, task_id)
    assert task["waiting"]["kind"] == "question" and HEAR in task["waiting"]["questions"]

    await open_request(page, task_id)
    asked = page.locator(f'[data-question="{HEAR}"]')
    await asked.select_option(label="Company website")
    await page.click("#resolve")
    await page.wait_for_selector("#notice:text('Resolved')", timeout=15_000)
    sent = await submitted(watcher, stack, task_id)
    hear = next(f for f in sent.fields if f.label == HEAR)
    assert (hear.value, hear.provenance) == ("Company website", "operator")
    saved = await banked(http, user, HEAR)
    assert (saved["answer"], saved["provenance"]) == ("Company website", "operator")

    again = await start_task(http, user, second_job["url"])
    second = await submitted(watcher, stack, again)
    assert watcher.of(again, HumanNeeded.TYPE) == []  # nobody was asked this time
    hear = next(f for f in second.fields if f.label == HEAR)
    assert (hear.value, hear.provenance) == ("Company website", "operator")
    found = stack.sandbox.submissions(site="greenhouse", job_id=second_job["job_id"], email=user.email)
    assert len(found) == 1 and "Company website" in str(found[0]["fields"])


# The human timeout of the takeover this module restarts for its timeout test.
SHORT_TIMEOUT_S = 8.0


@pytest.fixture
async def short_timeout(stack: Stack) -> AsyncIterator[float]:
    """The stack's takeover restarted with a short human timeout for one test, then as it was."""
    usual = stack.children["takeover"]
    usual.stop()
    short = {"AUTOAPPLY_HUMAN_TIMEOUT_S": str(SHORT_TIMEOUT_S), "AUTOAPPLY_TIMEOUT_CHECK_S": "0.5"}
    log = usual.log.with_name("takeover-short.log")
    stack.children["takeover"] = Child("services.takeover", usual.env | short, log)
    try:
        await wait_healthy(stack.children["takeover"], timeout_s=60)
        yield SHORT_TIMEOUT_S
    finally:
        stack.children["takeover"].stop()
        stack.children["takeover"] = Child("services.takeover", usual.env, usual.log.with_name("takeover-again.log"))
        await wait_healthy(stack.children["takeover"], timeout_s=60)


async def test_a_request_nobody_takes_times_out_and_the_task_fails_with_that_reason(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, short_timeout: float, page: Page
) -> None:
    job = jobs_asking(stack, HEAR)[0]
    user, _ = await applicant(http, job, leave_out=HEAR)
    task_id = await start_task(http, user, job["url"])
    row = page.locator(f'#queue-body tr[data-task="{task_id}"]')
    try:
        await row.wait_for(timeout=90_000)
    except Exception:
        print(stack.logs())
        raise
    intervention = await row.get_attribute("data-intervention")
    timeout = await watcher.wait_for(task_id, HumanTimeout.TYPE, timeout_s=short_timeout + 30)
    assert isinstance(timeout, HumanTimeout) and timeout.waited_s >= short_timeout - 1
    await row.wait_for(state="detached", timeout=10_000)  # the queue no longer shows it
    await page.goto(f"{takeover_url(stack)}/interventions/{intervention}")
    assert "timed out" in await page.inner_text("main")

    task = await task_answer(http, user, task_id)
    for _ in range(100):  # intake folds human.timeout a moment after it went out
        if task["outcome"] == "FAILED":
            break
        await asyncio.sleep(0.2)
        task = await task_answer(http, user, task_id)
    assert task["outcome"] == "FAILED" and task["waiting"] is None
    assert task["failure"]["reason"] == "human_timeout", task["failure"]
    assert stack.sandbox.submissions(site="greenhouse", job_id=job["job_id"], email=user.email) == []
