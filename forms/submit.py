"""Submitting a filled form (once: the caller records the attempt first), and reading what follows:
the confirmation, a challenge, or validation errors mapped back to their fields."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from forms.correct import Correction
from forms.outcomes import challenges
from forms.platforms import COMMON_DONE, COMMON_ERRORS, Platform
from forms.records import Challenge

ERRORS_JS = resources.files("forms").joinpath("errors.js").read_text(encoding="utf-8")
# How long a submit may take to show its outcome before it is reported as unknown.
OUTCOME_TIMEOUT_S = 20.0
# The page is looked at again this often until it answers (each look is three reads of every frame).
LOOK_EVERY_S = 0.15
AFTER_SUBMIT = frozenset({"captcha", "email_code", "email_link", "already_applied", "closed"})


@dataclass(frozen=True)
class FieldError:
    message: str
    field: str = ""  # the reader's stamp of the field it is about ("" for a page-wide message)
    name: str = ""  # its id or name


@dataclass(frozen=True)
class SubmitReport:
    status: Literal["submitted", "invalid", "challenge", "unknown"]
    errors: tuple[FieldError, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    detail: str = ""
    corrections: tuple[Correction, ...] = ()  # refused values written again in another form, or not


async def read_errors(page: Page, platform: Platform) -> tuple[FieldError, ...]:
    selectors = list(platform.errors or COMMON_ERRORS)
    found: list[FieldError] = []
    for frame in page.frames:
        try:
            raw: list[dict[str, Any]] = await frame.evaluate(ERRORS_JS, selectors)
        except PlaywrightError:
            continue
        found += [FieldError(str(e["message"]), str(e["field"]), str(e["id"])) for e in raw]
    return tuple(found)


async def _done_text(page: Page, platform: Platform) -> str:
    """The confirmation text, in the page or in the frame the form was embedded in."""
    for frame in page.frames:
        try:
            text = await frame.evaluate("() => document.body ? document.body.innerText : ''")
        except PlaywrightError:
            continue  # navigating: asked again on the next look
        found = next((t for t in platform.done or COMMON_DONE if t.casefold() in str(text).casefold()), "")
        if found:
            return found
    return ""


async def outcome(page: Page, platform: Platform, timeout_s: float = OUTCOME_TIMEOUT_S) -> SubmitReport:
    """Wait for what the page says after a submit."""
    deadline = time.monotonic() + timeout_s
    # The confirmation is looked for at once: a submit that navigates (Lever's /thanks) has often
    # drawn it by the time the click returns. Errors and challenges only after a pause: the page the
    # click left may still show what it showed before (a field marked invalid while it was typed in).
    if done := await _done_text(page, platform):
        return SubmitReport("submitted", detail=done)
    while time.monotonic() < deadline:
        await asyncio.sleep(LOOK_EVERY_S)
        done = await _done_text(page, platform)
        if done:
            return SubmitReport("submitted", detail=done)
        stop = tuple(c for c in await challenges(page) if c.kind in AFTER_SUBMIT)
        if stop:
            return SubmitReport("challenge", challenges=stop)
        errors = tuple(e for e in await read_errors(page, platform) if e.message != "marked invalid" or e.field)
        if errors:
            await asyncio.sleep(0.2)  # every message of the answer, not the first one drawn
            return SubmitReport("invalid", errors=await read_errors(page, platform))
    return SubmitReport("unknown", detail="no confirmation, error or challenge appeared")
