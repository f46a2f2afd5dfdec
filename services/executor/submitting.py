"""Submitting exactly once, and what follows the click: the receipt, an emailed code, a review.

The attempt is committed before the click (attempts.py); a delivery that finds one never clicks the
application's submit again: it says application.submitted with recovered=True and the verifier
settles it. A security code typed after the click completes the same attempt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.applications import ApplicationSubmitted, LearnedAnswer, SentField
from contracts.mail import EmailVerified
from contracts.profile import Profile
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed
from forms.act import act
from forms.fill import FormReport, press, visible_button
from forms.fill import submit as click_submit
from forms.platforms import COMMON_SUBMIT, by_name
from forms.read import read_page
from forms.records import Resolution
from forms.submit import SubmitReport, outcome
from forms.text import fold
from runtime import objects, telemetry
from services.executor import attempts, memory, receipt, store, waits
from services.executor.context import Run
from services.executor.halts import from_challenges
from services.executor.store import Task

if TYPE_CHECKING:
    from services.executor.flow import Flow

log = logging.getLogger(__name__)
S = TaskState
# Code boxes: one box per character (Greenhouse), or one field for the whole code.
CODE_BOXES = "input.security-input, input[id^='security-input-']"
CODE_FIELD = "input[autocomplete='one-time-code'], input[name*='code' i], input[id*='code' i]"
CONFIRM_BUTTONS = (*COMMON_SUBMIT, "button:has-text('Verify')", "button:has-text('Confirm')")
# How long a sent code may take to be answered before the prompt still showing counts as the answer.
CODE_ANSWER_S = 20.0
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def _flag(task: Task, name: str) -> bool:
    value = task.preferences.get(name)
    return value is True or (isinstance(value, (str, int)) and str(value).strip().lower() in TRUE_WORDS)


def dry_run(task: Task) -> bool:
    return _flag(task, "dry_run")


def wants_review(task: Task, profile: Profile) -> bool:
    return profile.preferences.review_before_submit or _flag(task, "review") or dry_run(task)


def _files(flow: Flow, report: FormReport) -> tuple[str, ...]:
    key = flow.who.resume_key
    return (key,) if key and receipt.uploaded(report) else ()


async def review(flow: Flow, report: FormReport) -> None:
    shot = await flow.shot("review")
    fields = receipt.sent_fields(report)
    open_questions = receipt.unresolved(report)
    await waits.review(
        flow.run, flow.page.url, fields, open_questions, _files(flow, report), shot, dry_run(flow.run.task)
    )


def attempt_id(task: Task) -> str:
    return f"attempt-{task.task_id}"


async def submit(flow: Flow, report: FormReport, corrections: dict[str, str] | None = None) -> None:
    run = flow.run
    if run.state is not S.SUBMITTING:
        await run.progress(S.SUBMITTING, step="submit")
    if corrections:
        await correct(flow.page, corrections)
    # The form's picture as it is sent, while the attempt is recorded: both before the click.
    _, tried = await asyncio.gather(flow.shot("filled"), _record(flow, report, corrections or {}))
    if tried is None:
        log.info("task %s was cancelled before its submit click: nothing is sent", run.task.task_id)
        return
    if not tried.new:
        await recovered(run)
        return
    task = run.task
    with telemetry.step("submit click", platform=task.platform) as span:
        answer = await click_submit(flow.page, report)
        span.set_attribute("autoapply.status", answer.status)
    await after_code(flow, answer, tried.recorded_at)


async def _record(flow: Flow, report: FormReport, corrections: dict[str, str]) -> attempts.Attempt | None:
    """What is about to be sent (the receipt), then the attempt: committed before the click. None:
    the user cancelled the task."""
    run, task = flow.run, flow.run.task
    await receipt.write(run.x.objects, task, _receipt(flow, report, corrections))
    tried = await attempts.record(
        run.x.db, task.task_id, task.user_id, task.job_key, attempt_id(task), run.x.settings.instance
    )
    if tried is not None and tried.new:
        async with run.x.db.acquire() as conn:
            await store.mark_submitted(conn, task.task_id, tried.recorded_at)
    return tried


def _fields(report: FormReport, corrections: dict[str, str]) -> list[dict[str, str]]:
    """The fields as sent: a field the user corrected at review carries the user's value."""
    wanted = {fold(label): value for label, value in corrections.items()}
    fields = []
    for sent in receipt.sent_fields(report):
        value = wanted.get(fold(sent.label))
        fields.append(
            sent.model_dump() if value is None else {"label": sent.label, "value": value, "provenance": "user"}
        )
    return fields


def _receipt(flow: Flow, report: FormReport, corrections: dict[str, str]) -> dict[str, Any]:
    task = flow.run.task
    return {
        "task_id": str(task.task_id),
        "attempt_id": attempt_id(task),
        "job_url": task.job_url,
        "platform": task.platform,
        "template": flow.template.platform if flow.template else None,
        "form_reached_by": flow.reached or None,
        "page_url": flow.page.url,
        "fields": _fields(report, corrections),
        "files": list(_files(flow, report)),
        **receipt.model_use(flow.run.meter),
    }


async def after_code(flow: Flow, answer: SubmitReport, since: datetime | None = None) -> None:
    """What the page said after the click (or after the emailed code was typed in)."""
    run = flow.run
    at = since or run.task.submitted_at or datetime.now(UTC)
    if answer.status == "submitted":
        await attempts.settle(run.x.db, run.task.task_id, "submitted")
        await _submitted(flow, answer.detail)
    elif answer.status == "challenge":
        halt = from_challenges(answer.challenges)
        if halt is not None and halt.kind in ("email_code", "email_link"):
            await waits.email(run, halt.kind, flow.who.profile.email, at, after_submit=True)
        elif halt is not None and halt.kind == "captcha":
            await waits.captcha(run, flow.page.url, await flow.shot("captcha"))
        else:
            await attempts.settle(run.x.db, run.task.task_id, "rejected_by_site")
            message = halt.message if halt else "the site refused the application"
            failed = TaskFailed(
                **run.ids, reason=(halt.reason if halt else None) or FailureReason.SUBMISSION_ERROR, message=message
            )
            await run.emit(failed, S.FAILED, finished=True)
    elif answer.status == "invalid":
        # The site refused what was sent: a person corrects it and submits by hand; this attempt is
        # never clicked again, and its outcome is the verifier's to settle.
        await waits.human(run, _errors(answer), flow.page.url, (), await flow.shot("refused"))
    else:
        await attempts.settle(run.x.db, run.task.task_id, "unknown")
        await _submitted(flow, None)


def _errors(answer: SubmitReport) -> str:
    said = "; ".join(e.message for e in answer.errors if e.message) or "the form showed errors"
    return f"the site refused the application after the click: {said}"


async def _submitted(flow: Flow, confirmation: str | None) -> None:
    run = flow.run
    shot, draft = await asyncio.gather(flow.shot("submitted"), _read_receipt(run))
    store_ = run.x.objects
    draft |= {"final_url": flow.page.url, "confirmation_text": confirmation, "screenshots": run.shots}
    draft |= {"submitted_at": (run.task.submitted_at or datetime.now(UTC)).isoformat(), "recovered": False}
    draft |= receipt.model_use(run.meter)
    uri = await receipt.write(store_, run.task, draft)
    learned: list[LearnedAnswer] = []
    if flow.agent.drafted or flow.agent.declined:  # the site took them: the user's answers there next time
        helper = flow.agent
        learned = await memory.keep_answers(
            run.x.db, run.task.user_id, run.task.job_url, helper.drafted, frozenset(helper.declined)
        )
    event = ApplicationSubmitted(
        **run.ids,
        attempt_id=attempt_id(run.task),
        page_url=flow.page.url,
        receipt_uri=uri,
        confirmation_text=confirmation,
        platform=run.task.platform,
        job_url=run.task.job_url,
        fields=tuple(SentField(**f) for f in draft.get("fields", ())),
        files=tuple(draft.get("files", ())),
        screenshots=tuple(dict.fromkeys(k for k in (*run.shots, shot) if k)),
        email=flow.who.profile.email,
        cdp_endpoint=run.task.cdp_url,
        learned=tuple(learned),
        **waits.spent(run),
    )
    await run.emit(event, S.VERIFYING_SUBMISSION, finished=True)


async def _read_receipt(run: Run) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads(await run.x.objects.get(_receipt_key(run.task)))
        return found
    except (FileNotFoundError, ValueError):
        return {"task_id": str(run.task.task_id), "attempt_id": attempt_id(run.task), "fields": [], "files": []}


def _receipt_key(task: Task) -> str:
    return objects.key(task.user_id, "tasks", str(task.task_id), receipt.RECEIPT_OBJECT)


async def recovered(run: Run) -> None:
    """An attempt without a known outcome: never clicked again; the verifier looks for proof."""
    if run.state in (S.EXECUTING_RPA, S.EXECUTING_AGENT):
        await run.progress(S.SUBMITTING, step="recovered")
    draft = await _read_receipt(run)
    draft |= {"recovered": True}
    uri = await receipt.write(run.x.objects, run.task, draft)
    event = ApplicationSubmitted(
        **run.ids,
        attempt_id=attempt_id(run.task),
        page_url=draft.get("page_url") or run.task.job_url,
        receipt_uri=uri,
        platform=run.task.platform,
        job_url=run.task.job_url,
        fields=tuple(SentField(**f) for f in draft.get("fields", ())),
        files=tuple(draft.get("files", ())),
        recovered=True,
        cdp_endpoint=run.task.cdp_url,
    )
    await run.emit(event, S.VERIFYING_SUBMISSION, finished=True)


async def use_email(page: Page, verified: EmailVerified) -> None:
    """Types the emailed code (one box per character, or one field), or opens the emailed link."""
    if verified.kind == "link":
        await page.goto(verified.value, wait_until="domcontentloaded", timeout=30_000)
        return
    boxes = page.locator(CODE_BOXES).filter(visible=True)
    count = await boxes.count()
    if count > 1:
        for index, char in enumerate(verified.value[:count]):
            await boxes.nth(index).fill(char)
        return
    field = page.locator(CODE_FIELD).filter(visible=True)
    if await field.count():
        await field.first.fill(verified.value)


async def confirm(page: Page, platform: str) -> SubmitReport:
    """Sends the typed code (the code's own button) and reads what the page says. The prompt with
    the code still typed in is not the site's answer: a site that sends the code by script
    (Greenhouse) shows it until its answer is drawn, and reading it then asked for a second mail
    while the application had gone through."""
    button = await visible_button(page, CONFIRM_BUTTONS)
    if button is not None:
        await press(button)
    deadline = time.monotonic() + CODE_ANSWER_S
    while True:
        answer = await outcome(page, by_name(platform))
        if answer.status != "challenge" or time.monotonic() > deadline or not await _code_typed(page):
            return answer
        await asyncio.sleep(0.3)


async def _code_typed(page: Page) -> bool:
    """The code's field (or boxes) is still on the page, with what was typed in it."""
    for selector in (CODE_BOXES, CODE_FIELD):
        fields = page.locator(selector).filter(visible=True)
        if await fields.count() and await fields.first.input_value():
            return True
    return False


async def read_outcome(page: Page, platform: str) -> SubmitReport:
    """What the page says now, without pressing anything."""
    return await outcome(page, by_name(platform))


async def correct(page: Page, corrections: dict[str, str]) -> None:
    """The user's corrections at review, typed over the fields of the same label on the page."""
    wanted = {fold(label): value for label, value in corrections.items()}
    for record in await read_page(page):
        value = wanted.get(fold(record.label))
        if value is None:
            continue
        try:
            await act(page, record, Resolution(value=value, provenance="operator", key="correction", choice=value))
        except PlaywrightError:
            continue  # the field is filled again from the answers the corrections joined
