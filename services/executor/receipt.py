"""What the executor keeps of an application: the fields with their provenance, the files, a
screenshot of every step, and the receipt (`<user_id>/tasks/<task_id>/receipt.json`)."""

import asyncio
import base64
import json
import re
import time
import weakref
from typing import Any

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from contracts.applications import SentField
from contracts.human import Question
from forms.fill import FormReport
from runtime import objects
from services.executor.llm import Meter
from services.executor.store import Task

RECEIPT_OBJECT = "receipt.json"
# A step name in a screenshot key keeps to the object store's plain characters.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
SHOT_TIMEOUT_MS = 10_000
# The viewport as it is drawn, PNG as the operator page serves it, encoded for speed, not size.
FAST_PNG = {"format": "png", "optimizeForSpeed": True}


def sent_fields(report: FormReport) -> tuple[SentField, ...]:
    """Every field the form holds from us: label, value as the page shows it, and where it came from."""
    fields: dict[str, SentField] = {}
    for step in report.steps:
        for done in step.filled:
            if done.outcome not in ("filled", "kept") or done.resolution.provenance is None:
                continue
            value = done.resolution.choice or done.shown or done.resolution.value or ""
            if done.record.widget == "file":
                value = done.resolution.value.rsplit("/", 1)[-1] if done.resolution.value else value
            label = done.record.label or done.record.selector
            fields[done.record.handle] = SentField(label=label, value=value, provenance=done.resolution.provenance)
    return tuple(fields.values())


def model_use(meter: Meter | None) -> dict[str, Any]:
    """The model's part in the receipt: its tokens per call and for the task, and their price."""
    if meter is None or not meter.calls:
        return {}
    calls = [c.model_dump() for c in meter.calls]
    return {"llm": {"model": meter.model, "calls": calls, "total": meter.total.model_dump()}}


def uploaded(report: FormReport) -> bool:
    return any(d.record.widget == "file" and d.outcome in ("filled", "kept") for s in report.steps for d in s.filled)


def unresolved(report: FormReport) -> tuple[Question, ...]:
    """The required questions nobody answered, as a person needs to see them."""
    asked: dict[str, Question] = {}
    for step in report.steps:
        for record, res in step.unresolved:
            if record.required and record.label not in asked:
                options = tuple(o.label for o in record.options if o.label)
                asked[record.label] = Question(
                    label=record.label,
                    widget=record.widget,
                    options=options,
                    selector=record.selector,
                    reason=res.reason or "no answer in the profile or the answer bank",
                )
        for done in step.filled:
            if done.outcome == "failed" and done.record.label not in asked:
                reason = done.detail or "the field would not take its value"
                asked[done.record.label] = Question(label=done.record.label, widget=done.record.widget, reason=reason)
    return tuple(asked.values())


# What a screenshot would show, as one number: the address, the text on screen and every field's
# value. Equal numbers, same picture: a step that changed nothing on the page shares the last shot.
LOOK_JS = """() => {
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .map((e) => (e.type === "checkbox" || e.type === "radio" ? String(e.checked) : e.value)).join("\u0001");
  const seen = `${location.href}|${window.scrollY}|${document.body ? document.body.innerText : ""}|${fields}`;
  let hash = 0;
  for (let i = 0; i < seen.length; i++) hash = (Math.imul(hash, 31) + seen.charCodeAt(i)) | 0;
  return hash;
}"""


async def look(page: Page) -> int | None:
    """The page's look (LOOK_JS); None when it cannot be read (navigating), so a shot is taken."""
    try:
        return int(await page.evaluate(LOOK_JS))
    except PlaywrightError:
        return None


# Each page's DevTools session for its screenshots, opened at its first shot (two round trips).
_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


async def _session(page: Page) -> CDPSession:
    session = _SESSIONS.get(page)
    if session is None:
        session = _SESSIONS[page] = await page.context.new_cdp_session(page)
    return session


async def capture(page: Page) -> bytes:
    """The viewport as a PNG, asked of the browser directly with its fast encoder: 0.09 s of Chromium's
    CPU a shot against Playwright's 0.16 s (its screenshot hides the caret first and encodes at full
    compression: more round trips and work in the browser process), and about 40 % larger files.
    Playwright's own where the page's session cannot be had."""
    try:
        session = await _session(page)
        shot = await asyncio.wait_for(session.send("Page.captureScreenshot", FAST_PNG), SHOT_TIMEOUT_MS / 1000)
        return base64.b64decode(shot["data"])
    except (PlaywrightError, TimeoutError, KeyError, ValueError):
        _SESSIONS.pop(page, None)
        return await page.screenshot(type="png", timeout=SHOT_TIMEOUT_MS)


async def screenshot(store: objects.ObjectStore, task: Task, page: Page, step: str) -> str | None:
    """A screenshot of the page as it is; None when the page cannot be drawn (it is never fatal)."""
    try:
        data = await capture(page)
    except PlaywrightError:
        return None
    name = f"{time.time_ns() // 1_000_000}-{_UNSAFE.sub('_', step)[:60]}.png"
    key = objects.key(task.user_id, "tasks", str(task.task_id), "screenshots", name)
    await store.put(key, data)
    return key


async def write(store: objects.ObjectStore, task: Task, receipt: dict[str, Any]) -> str:
    key = objects.key(task.user_id, "tasks", str(task.task_id), RECEIPT_OBJECT)
    await store.put(key, json.dumps(receipt, indent=2, default=str).encode())
    return key
