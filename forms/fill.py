"""Filling a form: every step of it, up to the final Submit, which is a separate act (forms.submit).

Each step is read, decided and filled; files first where the platform parses the resume (its parser
overwrites fields), then everything is read again and whatever changed is filled once more. A step
with a required question nobody answered stops the walk: nothing is guessed and nothing submitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from types import MappingProxyType
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from contracts.profile import Profile
from forms import spans
from forms.act import act
from forms.act.common import Filled
from forms.act.rows import add_row
from forms.consent import refuse_cookies
from forms.correct import Correction
from forms.decide import decide, questions
from forms.engine import detect_platform
from forms.network import answered
from forms.outcomes import challenges
from forms.platforms import COMMON_NEXT, COMMON_SUBMIT, Platform, by_name
from forms.read import read_page, read_settled
from forms.records import Challenge, Draft, FieldRecord, Resolution
from forms.repair import repair
from forms.submit import FieldError, SubmitReport, outcome, read_errors

# Steps of a multi-step form before the walk gives up (Workday has about six; LinkedIn four).
MAX_STEPS = 10
# A parser that runs after an upload has at most this long to answer before the other fields are
# filled (its answer overwrites them; whatever it changes later is caught by the re-check).
PARSER_AT_MOST_S = 2.0
# How long a Next or Submit button may take to be clickable before it is pressed directly.
BUTTON_MS = 3_000
# A form's submit starts its navigation within this long of the click, where it starts one at all.
NAVIGATION_START_S = 0.5
# Rounds of reading again after a step is filled, for questions that its answers reveal.
REVEAL_ROUNDS = 3
# Rows added to repeated sections (education, work history) in one step, at most.
MAX_ROWS = 10
# A step is read at once; one with no question yet is given this long to draw its form.
QUICK_READ_S = 0.3
LATE_RENDER_S = 8.0
NONE: Mapping[str, str] = MappingProxyType({})
Status = Literal["ready", "needs_answers", "invalid", "challenge", "failed", "step_limit"]
# What stops a walk before a step is filled, and what stops it at the end (a challenge at submit).
PAGE_STOPS = frozenset({"email_code", "email_link", "login_wall", "closed", "already_applied", "external_apply"})
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
    errors: tuple[FieldError, ...] = ()  # the page's validation errors left after one correction
    corrections: tuple[Correction, ...] = ()  # refused values written again in another form, or not
    profile: Profile | None = field(default=None, compare=False, repr=False)  # for corrections at submit

    @property
    def filled_count(self) -> int:
        return sum(1 for s in self.steps for f in s.filled if f.outcome in ("filled", "kept"))


def _order(decided: list[tuple[FieldRecord, Resolution]], platform: Platform) -> list[tuple[FieldRecord, Resolution]]:
    if not platform.resume_first:
        return decided
    return sorted(decided, key=lambda pair: pair[0].widget != "file")


async def _read_step(
    page: Page, platform: Platform, first: bool, known: list[FieldRecord] | None = None
) -> list[FieldRecord]:
    """The step's fields once the page is quiet. A step with no question yet is waited on (a late
    render); after the first, one that already shows its Next or Submit is a review page, with
    nothing to ask. (A first page's buttons may be drawn before its form: it is always waited on.)"""
    records = await read_settled(page, QUICK_READ_S, known=known)
    if questions(records, platform):
        return records
    buttons = (platform.submit_buttons or COMMON_SUBMIT) + (platform.next_buttons or COMMON_NEXT)
    if not first and await visible_button(page, buttons):
        return records
    return await read_settled(page, LATE_RENDER_S)


def _decide(
    records: list[FieldRecord], profile: Profile, platform: Platform, overrides: Mapping[str, str]
) -> list[tuple[FieldRecord, Resolution]]:
    """Decide; a field the page refused takes its corrected value (the same answer, another form)."""
    decided = decide(records, profile, platform)
    return [
        (r, replace(res, value=overrides[r.handle], exact=True) if r.handle in overrides else res) for r, res in decided
    ]


async def fill_step(
    page: Page,
    profile: Profile,
    platform: Platform,
    *,
    first: bool = True,
    overrides: Mapping[str, str] = NONE,
    draft: Draft | None = None,
    known: list[FieldRecord] | None = None,
) -> Step:
    decided = _decide(await _read_step(page, platform, first, known), profile, platform, overrides)
    if draft is not None:
        decided = await draft(decided)
    filled = await _fill_all(page, platform, decided)
    # The re-check's read, where it filled nothing again, is the first reveal round's too: the page
    # has not changed since (a second wait for quiet and read would see the same).
    fresh: list[FieldRecord] | None = None
    if platform.resume_first and any(f.record.widget == "file" and f.outcome == "filled" for f in filled):
        filled, fresh = await _recheck(page, profile, platform, filled, overrides)
    unresolved = [(r, res) for r, res in decided if not res.resolved]
    added = 0
    present: set[str] = set()
    for _ in range(REVEAL_ROUNDS + MAX_ROWS):  # an answer may reveal a question (State once Country is chosen)
        seen = {r.selector for r, _ in decided}
        records = fresh if fresh is not None else await read_settled(page, QUICK_READ_S)
        fresh = None
        now = _decide(records, profile, platform, overrides)
        present = {r.selector for r, _ in now}
        revealed = [(r, res) for r, res in now if r.selector not in seen]
        if revealed and draft is not None:
            revealed = await draft(revealed)
        if not revealed:
            if added >= MAX_ROWS or not await add_row(page, profile, now):
                break
            added += 1  # a new education or work row: its fields are read and filled next round
            continue
        decided += revealed
        filled += await _fill_all(page, platform, revealed)
        unresolved += [(r, res) for r, res in revealed if not res.resolved]
    if present:  # a question an answer took away (the end date of a job one still has) is not asked
        unresolved = [(r, res) for r, res in unresolved if r.selector in present]
    return Step(tuple(filled), tuple(unresolved))


async def _fill_all(page: Page, platform: Platform, decided: list[tuple[FieldRecord, Resolution]]) -> list[Filled]:
    filled: list[Filled] = []
    for record, res in _order(decided, platform):
        if not res.resolved:
            continue
        if record.widget == "file" and platform.resume_first:  # let the parser answer before filling over it
            filled.append(await answered(page, partial(_act, page, record, res), PARSER_AT_MOST_S))
        else:
            filled.append(await _act(page, record, res))
    return filled


async def _act(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    began = time.monotonic()
    with spans.filling(record, res) as span:
        try:
            done = await act(page, record, res)
        except PlaywrightError as exc:
            done = Filled(record, res, "failed", "", f"the widget did not respond: {type(exc).__name__}")
        span.set_attribute("autoapply.outcome", done.outcome)
    return replace(done, seconds=time.monotonic() - began)


async def _recheck(
    page: Page, profile: Profile, platform: Platform, filled: list[Filled], overrides: Mapping[str, str]
) -> tuple[list[Filled], list[FieldRecord] | None]:
    """Read again after everything is filled; fill once more whatever a script changed. With the
    records read, where nothing was filled again (None where something was: the page changed)."""
    records = await read_settled(page, 2.0)
    again = {r.selector: (r, res) for r, res in _decide(records, profile, platform, overrides)}
    out = []
    acted = False
    for done in filled:
        now = again.get(done.record.selector)
        if now and done.shown and now[0].value == done.shown:
            out.append(done)  # what was left there is still there (a chosen suggestion need not be retyped)
        elif done.record.widget != "file" and now and now[1].resolved and done.outcome in ("filled", "kept"):
            refill = await _act(page, now[0], now[1])
            acted = True
            out.append(refill if refill.outcome != "kept" else done)
        else:
            out.append(done)
    return out, None if acted else records


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


async def fill_form(
    page: Page, profile: Profile, *, max_steps: int = MAX_STEPS, draft: Draft | None = None
) -> FormReport:
    """Fill every step up to the final Submit (not clicked). The report says whether it is ready."""
    began = time.monotonic()
    platform = await detect_platform(page)
    steps: list[Step] = []
    corrections: list[Correction] = []
    opened = False  # Apply is clicked once at most: a form that draws late is waited on, not re-opened
    for _ in range(max_steps):
        stop = _stops(await challenges(page), PAGE_STOPS)
        if stop:
            return FormReport(platform.name, "challenge", tuple(steps), stop, time.monotonic() - began)
        await refuse_cookies(page)
        known: list[FieldRecord] | None = None  # the read that found the form already open
        if not opened and not steps:
            opened = True
            clicked, known = await _open_form(page, platform)
            if clicked:
                continue
        step = await fill_step(page, profile, platform, first=not steps, draft=draft, known=known)
        steps.append(step)
        if step.blocking:
            detail = "; ".join(step.blocking)
            return FormReport(platform.name, "needs_answers", tuple(steps), (), time.monotonic() - began, detail)
        # Without the platform's own Submit, a "Next" or "Continue" (often type=submit too) comes first.
        ahead = None if platform.submit_buttons else await visible_button(page, COMMON_NEXT)
        submit = None if ahead is not None else await visible_button(page, platform.submit_buttons or COMMON_SUBMIT)
        if submit is not None:
            stop = _stops(await challenges(page), READY_STOPS)
            status: Status = "challenge" if stop else "ready"
            spent = time.monotonic() - began
            return FormReport(
                platform.name,
                status,
                tuple(steps),
                stop,
                spent,
                submit=submit,
                corrections=tuple(corrections),
                profile=profile,
            )
        following = ahead or await visible_button(page, platform.next_buttons or COMMON_NEXT)
        if following is None:
            return FormReport(platform.name, "failed", tuple(steps), (), time.monotonic() - began, "no Next or Submit")
        await press_and_settle(page, following)
        errors, fixed = await _next_or_repair(
            page, profile, platform, steps, buttons=platform.next_buttons or COMMON_NEXT
        )
        corrections += fixed
        if errors:
            detail = "; ".join(e.message for e in errors)
            spent = time.monotonic() - began
            return FormReport(
                platform.name, "invalid", tuple(steps), (), spent, detail, errors=errors, corrections=tuple(corrections)
            )
    return FormReport(platform.name, "step_limit", tuple(steps), (), time.monotonic() - began)


def _shown(errors: tuple[FieldError, ...]) -> tuple[FieldError, ...]:
    return tuple(e for e in errors if e.message != "marked invalid")


async def _next_or_repair(
    page: Page, profile: Profile, platform: Platform, steps: list[Step], *, buttons: tuple[str, ...]
) -> tuple[tuple[FieldError, ...], list[Correction]]:
    """After Next: the errors the page still shows, and the corrections tried. A refused value that
    the profile can give in another form is written that way, the step filled again (a page drawn
    anew has lost its file), and Next pressed once more."""
    errors = _shown(await read_errors(page, platform))
    if not errors:
        return (), []
    fix = await repair(page, profile, platform, errors)
    if not fix.overrides:
        return errors, list(fix.corrections)
    steps.append(await fill_step(page, profile, platform, first=False, overrides=fix.overrides))
    again = await visible_button(page, buttons)
    if again is None or steps[-1].blocking:
        return errors, list(fix.corrections)
    await press_and_settle(page, again)
    return _shown(await read_errors(page, platform)), list(fix.corrections)


async def _open_form(page: Page, platform: Platform) -> tuple[bool, list[FieldRecord] | None]:
    """On a job page with no form yet, click Apply (the platform's own button), as a person would.
    Whether it clicked, and the read that found the form open already (the step's first read, where
    the page does not change meanwhile)."""
    if not platform.open_form:
        return False, None
    records = await read_page(page)
    if questions(records, platform):
        return False, records
    button = await visible_button(page, platform.open_form)
    if button is None or await _leads_here(page, button):
        return False, None  # the tab we are on (Ashby's "Application"): its form is still drawing
    try:
        await button.click(timeout=5_000)
    except PlaywrightError:
        return False, None  # covered or gone: the page is read as it is
    await _after_click(page)
    return True, None


async def _leads_here(page: Page, button: Locator) -> bool:
    try:
        href = await button.evaluate("e => e.href ? e.href.split('#')[0] : ''")
    except PlaywrightError:
        return False
    return bool(href) and href == page.url.split("#")[0]


async def _after_click(page: Page) -> None:
    try:
        await page.wait_for_load_state("load", timeout=10_000)
    except PlaywrightError:
        pass


async def submit(page: Page, report: FormReport, *, correct: bool = False) -> SubmitReport:
    """Click the final Submit of a ready form, once, and read what the page says. With `correct`,
    where the page refuses a value the profile can give in another form (it shows errors, not a
    confirmation), that value is written again and Submit clicked once more; without it (the
    executor's rule: a refused attempt is never clicked again by itself) the corrections it would
    make are only reported."""
    if report.status != "ready" or report.submit is None:
        raise ValueError(f"the form is not ready to submit: {report.status} {report.detail}".strip())
    platform = by_name(report.platform)
    await press(report.submit)
    sent = await outcome(page, platform)
    if sent.status != "invalid" or report.profile is None:
        return sent
    fix = await repair(page, report.profile, platform, sent.errors)
    if not fix.overrides or not correct:
        return replace(sent, corrections=fix.corrections)
    step = await fill_step(page, report.profile, platform, first=False, overrides=fix.overrides)
    again = await visible_button(page, platform.submit_buttons or COMMON_SUBMIT)
    if again is None or step.blocking:
        return replace(sent, corrections=fix.corrections)
    await press(again)
    return replace(await outcome(page, platform), corrections=fix.corrections)


async def press(button: Locator) -> bool:
    """Click as a person; where something lies over the button (a cookie banner), its own click.
    True when it was a person's click (Playwright then waits for the navigation it starts)."""
    try:
        await button.click(timeout=BUTTON_MS)
        return True
    except PlaywrightError:
        await button.evaluate("e => e.click()")
        return False


async def press_and_settle(page: Page, button: Locator) -> None:
    """Press Next, and wait for the page it leads to: a script's click does not wait for the
    navigation it starts, so that one is waited for here (an SPA's step changes in place)."""
    navigated = asyncio.Event()

    def seen(_: object) -> None:
        navigated.set()

    page.on("framenavigated", seen)
    try:
        if not await press(button):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(navigated.wait(), NAVIGATION_START_S)
    finally:
        page.remove_listener("framenavigated", seen)
    await _after_click(page)
