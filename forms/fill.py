"""Filling a form: every step of it, up to the final Submit, which is a separate act (forms.submit).

Each step is read, decided and filled; files first where the platform parses the resume (its parser
overwrites fields), then everything is read again and whatever changed is filled once more. A step
with a required question nobody answered stops the walk: nothing is guessed and nothing submitted.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from contracts.profile import Profile
from forms.act import act
from forms.act.common import Filled
from forms.decide import decide, questions
from forms.engine import detect_platform
from forms.outcomes import challenges
from forms.platforms import COMMON_NEXT, COMMON_SUBMIT, Platform, by_name
from forms.read import read_page, read_settled
from forms.records import Challenge, FieldRecord, Resolution
from forms.submit import SubmitReport, outcome, read_errors

# Steps of a multi-step form before the walk gives up (Workday has about six; LinkedIn four).
MAX_STEPS = 10
# A parser that runs after an upload has this long to overwrite fields before they are checked again.
PARSER_GRACE_S = 0.4
# A step is read at once; one with no question yet is given this long to draw its form.
QUICK_READ_S = 0.3
LATE_RENDER_S = 8.0
Status = Literal["ready", "needs_answers", "invalid", "challenge", "failed", "step_limit"]
# What stops a walk before a step is filled, and what stops it at the end (a challenge at submit).
PAGE_STOPS = frozenset({"email_code", "email_link", "login_wall", "closed", "already_applied"})
READY_STOPS = PAGE_STOPS | {"captcha"}


@dataclass(frozen=True)
class Step:
    filled: tuple[Filled, ...] = ()
    unresolved: tuple[tuple[FieldRecord, Resolution], ...] = ()

    @property
    def blocking(self) -> list[str]:
        """Labels of required questions left without an answer, and of fields that would not fill."""
        missing = [r.label for r, _ in self.unresolved if r.required]
        missing += [f.record.label for f in self.filled if f.outcome == "failed"]
        missing += [f.record.label for f in self.filled if f.outcome == "unresolved" and f.record.required]
        return missing


@dataclass(frozen=True)
class FormReport:
    platform: str
    status: Status
    steps: tuple[Step, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    seconds: float = 0.0
    detail: str = ""
    submit: Locator | None = field(default=None, compare=False)

    @property
    def filled_count(self) -> int:
        return sum(1 for s in self.steps for f in s.filled if f.outcome in ("filled", "kept"))


def _order(decided: list[tuple[FieldRecord, Resolution]], platform: Platform) -> list[tuple[FieldRecord, Resolution]]:
    if not platform.resume_first:
        return decided
    return sorted(decided, key=lambda pair: pair[0].widget != "file")


async def _read_step(page: Page, platform: Platform) -> list[FieldRecord]:
    """The step's fields once the page is quiet. A step with no question yet is waited on (a late
    render), unless it shows its Next or Submit already (a review page has nothing to ask)."""
    records = await read_settled(page, QUICK_READ_S)
    if questions(records, platform):
        return records
    if await visible_button(page, (platform.submit_buttons or COMMON_SUBMIT) + (platform.next_buttons or COMMON_NEXT)):
        return records
    return await read_settled(page, LATE_RENDER_S)


async def fill_step(page: Page, profile: Profile, platform: Platform) -> Step:
    decided = decide(await _read_step(page, platform), profile, platform)
    filled: list[Filled] = []
    uploaded = False
    for record, res in _order(decided, platform):
        if not res.resolved:
            continue
        if uploaded is False and record.widget != "file" and platform.resume_first and filled:
            await asyncio.sleep(PARSER_GRACE_S)  # let the parser run before filling over it
            uploaded = True
        filled.append(await _act(page, record, res))
    if platform.resume_first and any(f.record.widget == "file" and f.outcome == "filled" for f in filled):
        filled = await _recheck(page, profile, platform, filled)
    return Step(tuple(filled), tuple((r, res) for r, res in decided if not res.resolved))


async def _act(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    began = time.monotonic()
    try:
        done = await act(page, record, res)
    except PlaywrightError as exc:
        done = Filled(record, res, "failed", "", f"the widget did not respond: {type(exc).__name__}")
    return replace(done, seconds=time.monotonic() - began)


async def _recheck(page: Page, profile: Profile, platform: Platform, filled: list[Filled]) -> list[Filled]:
    """Read again after everything is filled; fill once more whatever a script changed."""
    again = {r.selector: (r, res) for r, res in decide(await read_settled(page, 2.0), profile, platform)}
    out = []
    for done in filled:
        now = again.get(done.record.selector)
        if done.record.widget != "file" and now and now[1].resolved and done.outcome in ("filled", "kept"):
            refill = await _act(page, now[0], now[1])
            out.append(refill if refill.outcome != "kept" else done)
        else:
            out.append(done)
    return out


async def visible_button(page: Page, selectors: tuple[str, ...]) -> Locator | None:
    for frame in page.frames:
        for selector in selectors:
            try:
                found = frame.locator(selector).filter(visible=True)
                if await found.count():
                    return found.first
            except PlaywrightError:
                continue
    return None


def _stops(found: tuple[Challenge, ...], kinds: frozenset[str]) -> tuple[Challenge, ...]:
    return tuple(c for c in found if c.kind in kinds)


async def fill_form(page: Page, profile: Profile, *, max_steps: int = MAX_STEPS) -> FormReport:
    """Fill every step up to the final Submit (not clicked). The report says whether it is ready."""
    began = time.monotonic()
    platform = await detect_platform(page)
    steps: list[Step] = []
    for _ in range(max_steps):
        stop = _stops(await challenges(page), PAGE_STOPS)
        if stop:
            return FormReport(platform.name, "challenge", tuple(steps), stop, time.monotonic() - began)
        if not steps and await _open_form(page, platform):
            continue
        step = await fill_step(page, profile, platform)
        steps.append(step)
        if step.blocking:
            detail = "; ".join(step.blocking)
            return FormReport(platform.name, "needs_answers", tuple(steps), (), time.monotonic() - began, detail)
        submit = await visible_button(page, platform.submit_buttons or COMMON_SUBMIT)
        if submit is not None:
            stop = _stops(await challenges(page), READY_STOPS)
            status: Status = "challenge" if stop else "ready"
            return FormReport(platform.name, status, tuple(steps), stop, time.monotonic() - began, submit=submit)
        following = await visible_button(page, platform.next_buttons or COMMON_NEXT)
        if following is None:
            return FormReport(platform.name, "failed", tuple(steps), (), time.monotonic() - began, "no Next or Submit")
        await following.click()
        await _after_click(page)
        errors = [e for e in await read_errors(page, platform) if e.message != "marked invalid"]
        if errors:
            detail = "; ".join(e.message for e in errors)
            return FormReport(platform.name, "invalid", tuple(steps), (), time.monotonic() - began, detail)
    return FormReport(platform.name, "step_limit", tuple(steps), (), time.monotonic() - began)


async def _open_form(page: Page, platform: Platform) -> bool:
    """On a job page with no form yet, click Apply (the platform's own button), as a person would."""
    if not platform.open_form or questions(await read_page(page), platform):
        return False
    button = await visible_button(page, platform.open_form)
    if button is None:
        return False
    try:
        await button.click(timeout=5_000)
    except PlaywrightError:
        return False  # covered or gone: the page is read as it is
    await _after_click(page)
    return True


async def _after_click(page: Page) -> None:
    try:
        await page.wait_for_load_state("load", timeout=10_000)
    except PlaywrightError:
        pass


async def submit(page: Page, report: FormReport) -> SubmitReport:
    """Click the final Submit of a ready form, once, and read what the page says."""
    if report.status != "ready" or report.submit is None:
        raise ValueError(f"the form is not ready to submit: {report.status} {report.detail}".strip())
    await report.submit.click()
    return await outcome(page, by_name(report.platform))
