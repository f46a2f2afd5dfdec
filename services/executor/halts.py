"""What stops a flow before or after the submit: each a named halt the flow turns into one event."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.human import Question
from contracts.states import FailureReason
from forms.records import Challenge
from services.executor.templates import ErrorHandler, Template, Trigger

Kind = Literal["failed", "captcha", "email_code", "email_link", "human", "daily_limit"]

# The template triggers that end the task, and the reason they end it with.
FAILING: dict[Trigger, tuple[FailureReason, str]] = {
    "already_applied": (FailureReason.ALREADY_APPLIED, "the site says this job was applied to already"),
    "job_closed": (FailureReason.JOB_CLOSED, "the job no longer accepts applications"),
    "login_required": (FailureReason.LOGIN_REQUIRED, "the site asks to sign in first"),
    "account_restricted": (FailureReason.ACCOUNT_RESTRICTED, "the site has restricted the account"),
    "external_apply": (FailureReason.NOT_A_JOB_POSTING, "the job is applied to on another site"),
}
# The form engine's challenges, likewise.
CHALLENGES: dict[str, Trigger] = {
    "already_applied": "already_applied",
    "closed": "job_closed",
    "login_wall": "login_required",
    "external_apply": "external_apply",  # "Apply on company website": no form here to fill
}


@dataclass(frozen=True)
class Halt:
    kind: Kind
    message: str = ""
    reason: FailureReason | None = None
    questions: tuple[Question, ...] = field(default=())
    since: datetime | None = None  # an emailed code or link: mail older than this is not it


def failing(trigger: Trigger) -> Halt:
    reason, message = FAILING[trigger]
    return Halt("failed", message, reason)


def from_challenges(found: tuple[Challenge, ...]) -> Halt | None:
    """The first challenge that stops the flow; a CAPTCHA only when the engine judged it visible."""
    for challenge in found:
        if challenge.kind in CHALLENGES:
            return failing(CHALLENGES[challenge.kind])
    for challenge in found:
        if challenge.kind in ("captcha", "email_code", "email_link"):
            return Halt(challenge.kind, challenge.detail)
    return None


# The template's handlers a step looks for (CAPTCHAs are the engine's: see from_template).
LOOKED_FOR = frozenset({*FAILING, "daily_limit", "email_verification"})
# Every handler's look in one round trip of the main frame: a visible match of one of its selectors,
# or one of its phrases in the visible text (read once); null where a selector is not plain CSS.
SHOWS_JS = """(handlers) => {
  const text = (document.body ? document.body.innerText : "").toLowerCase();
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  return handlers.map(([selectors, phrases]) => {
    for (const selector of selectors) {
      let found;
      try { found = document.querySelectorAll(selector); } catch { return null; }
      if ([...found].some(visible)) return true;
    }
    return phrases.some((p) => text.includes(p));
  });
}"""


async def _shows(page: Page, handler: ErrorHandler) -> bool:
    """One handler's look through Playwright's own selectors (a selector that is not plain CSS)."""
    for selector in handler.selectors:
        try:
            if await page.locator(selector).filter(visible=True).count():
                return True
        except PlaywrightError:
            continue
    if not handler.texts:
        return False
    try:
        text = (await page.inner_text("body", timeout=2_000)).casefold()
    except PlaywrightError:
        return False
    return any(phrase.casefold() in text for phrase in handler.texts)


async def _showing(page: Page, handlers: list[ErrorHandler]) -> list[bool]:
    """Which handlers the page shows: all at once (a step used to take a round trip per selector and
    a read of the page's text per handler), each handler alone where the page could not say."""
    wanted = [[list(h.selectors), [t.casefold() for t in h.texts]] for h in handlers]
    try:
        seen: list[bool | None] = await page.evaluate(SHOWS_JS, wanted)
    except PlaywrightError:
        seen = [None] * len(handlers)
    return [bool(s) if s is not None else await _shows(page, h) for h, s in zip(handlers, seen, strict=True)]


def _halt_for(handler: ErrorHandler) -> Halt:
    if handler.trigger == "daily_limit":
        return Halt("daily_limit", "the account reached the site's daily application limit")
    if handler.trigger == "email_verification":
        return Halt("email_code", "the site asks for a code it emailed")
    return failing(handler.trigger)


async def from_template(page: Page, template: Template) -> Halt | None:
    """The template's own error handlers. CAPTCHAs are left to the engine, which tells a visible
    challenge from the invisible one every Greenhouse, Lever and Ashby page loads."""
    handlers = [h for h in template.error_handlers if h.trigger in LOOKED_FOR]
    if not handlers:
        return None
    shown = await _showing(page, handlers)
    return next((_halt_for(h) for h, seen in zip(handlers, shown, strict=True) if seen), None)
