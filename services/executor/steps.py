"""Running a template's steps on the page: the flow is the template's, the fields the form engine's.

A step whose selector is not on the page falls back to the form engine (which also opens a form
by its Apply button and walks Next until Submit); an optional step is skipped. The steps up to the
submitting one run here; the submit and what follows it belong to the flow.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from contracts.profile import Profile
from forms.fill import FormReport
from runtime import telemetry
from services.executor import agent, halts
from services.executor.halts import Halt
from services.executor.templates import Action, Step, Template

# A click or fill step waits at most this long for its element before falling back to the engine.
ELEMENT_WAIT_S = 5.0
POLL_S = 0.1
Progress = Callable[[Step, int, int], Awaitable[None]]
AccountStep = Callable[[Step], Awaitable[Halt | None]]  # the site's account pages (accounts.py)


async def find(page: Page, selector: str, timeout_s: float) -> Locator | None:
    """The first visible match in any frame (embedded forms live in iframes), waited for."""
    deadline = time.monotonic() + timeout_s
    while True:
        for frame in page.frames:
            try:
                found = frame.locator(selector).filter(visible=True)
                if await found.count():
                    return found.first
            except PlaywrightError:
                continue
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(POLL_S)


def before_submit(template: Template) -> tuple[Step, ...]:
    steps: list[Step] = []
    for step in template.steps:
        if step.submit:
            break
        steps.append(step)
    return tuple(steps)


def submit_number(template: Template) -> int:
    return next((i for i, s in enumerate(template.steps, 1) if s.submit), len(template.steps))


def _value(step: Step, profile: Profile) -> str | None:
    if step.value and step.value.startswith("profile."):
        found = getattr(profile, step.value.removeprefix("profile."), None)
        return None if found is None else str(found)
    return step.value


async def _element_step(element: Locator, step: Step, profile: Profile) -> bool:
    if step.action is Action.RPA_CLICK:
        await element.click(timeout=step.timeout)
    elif step.action is Action.RPA_SCROLL:
        await element.scroll_into_view_if_needed(timeout=step.timeout)
    elif step.action in (Action.RPA_FILL, Action.RPA_SELECT):
        value = _value(step, profile)
        if value is None:
            return False
        if step.action is Action.RPA_FILL:
            await element.fill(value, timeout=step.timeout)
        else:
            await element.select_option(label=value, timeout=step.timeout)
    return True


async def _upload(page: Page, selector: str, profile: Profile) -> bool:
    inputs = page.locator(selector)
    if not profile.resume or not await inputs.count():
        return False
    await inputs.first.set_input_files(profile.resume)
    return True


async def _act(page: Page, step: Step, profile: Profile) -> bool:
    """Does one element step; False when its element is not there (the engine takes over)."""
    try:
        if step.action is Action.RPA_UPLOAD:
            return step.input_selector is not None and await _upload(page, step.input_selector, profile)
        if step.selector is None:
            return False
        wait_s = step.timeout / 1000 if step.action is Action.RPA_WAIT else min(step.timeout / 1000, ELEMENT_WAIT_S)
        element = await find(page, step.selector, wait_s)
        return element is not None and await _element_step(element, step, profile)
    except PlaywrightError:
        return False


ENGINE_STEPS = frozenset({Action.RPA_FILL_FORM, Action.AGENT_FILL_FORM, Action.AGENT_DECIDE, Action.AGENT_ANSWER})


async def _halts_at(page: Page, template: Template, step: Step, account: AccountStep | None) -> Halt | None:
    if step.account:  # the account pages are the account step's to read, error banners and all
        return await account(step) if account else halts.failing("login_required")
    halt = await halts.from_template(page, template)
    if halt is not None:
        return halt
    if step.action is Action.HUMAN_TAKEOVER:
        return Halt("human", f"the template hands step {step.id} to a person")
    if step.action is Action.EMAIL_VERIFY:
        return Halt("email_code", "the site asks for a code it emailed")
    return None


async def run(
    page: Page,
    template: Template,
    profile: Profile,
    llm_allowed: bool,
    progress: Progress,
    account: AccountStep | None = None,
) -> FormReport | Halt:
    """The template's steps up to the submit; the engine's report of the filled form, or a halt."""
    steps = before_submit(template)
    total = len(template.steps)
    report: FormReport | None = None
    engine_due = False
    for number, step in enumerate(steps, 1):
        await progress(step, number, total)
        if step.when and await find(page, step.when, 0) is None:
            continue
        halt = await _halts_at(page, template, step, account)
        if halt is not None:
            return halt
        if step.account:
            continue
        if step.action in ENGINE_STEPS:
            report, engine_due = await _engine(page, profile, llm_allowed), False
            if report.status != "ready":
                return report
        elif not await _traced_act(page, step, profile) and not step.optional:
            engine_due = True  # the engine fills what this step would have
        if step.wait_after:
            await asyncio.sleep(step.wait_after / 1000)
    if report is None or engine_due:
        report = await _engine(page, profile, llm_allowed)
    return report


async def _traced_act(page: Page, step: Step, profile: Profile) -> bool:
    with telemetry.step("template step", template_step=step.id, action=step.action.value) as span:
        done = await _act(page, step, profile)
        span.set_attribute("autoapply.done", done)
    return done


async def _engine(page: Page, profile: Profile, llm_allowed: bool) -> FormReport:
    with telemetry.step("fill form") as span:
        report = await agent.fill(page, profile, llm_allowed)
        span.set_attributes({"autoapply.status": report.status, "autoapply.fields": report.filled_count})
    return report
