"""Reading an account page after a click: what the site answered, waited for while it answers."""

import asyncio
import time
from dataclasses import dataclass
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from services.executor.templates import AccountPages

# A sign-in or sign-up answers within this long, even on a busy machine (a form POST and a redirect).
ANSWER_WAIT_S = 20.0
POLL_S = 0.2
Kind = Literal["in", "sent", "code", "unverified", "exists", "error", "none"]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    text: str = ""  # what the site said, for the person who gets the task


async def shows(page: Page, selectors: tuple[str, ...]) -> bool:
    for selector in selectors:
        try:
            if await page.locator(selector).filter(visible=True).count():
                return True
        except PlaywrightError:
            continue  # the page is navigating: not shown yet
    return False


async def wait_for(page: Page, selector: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not await shows(page, (selector,)):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_S)
    return True


async def _text(page: Page, selector: str) -> str:
    try:
        found = page.locator(selector).filter(visible=True)
        return (await found.first.inner_text(timeout=1_000)).strip() if await found.count() else ""
    except PlaywrightError:
        return ""


async def _body(page: Page) -> str:
    try:
        return (await page.inner_text("body", timeout=1_000)).casefold()
    except PlaywrightError:
        return ""


def _said(body: str, phrases: tuple[str, ...]) -> bool:
    return any(p.casefold() in body for p in phrases)


async def read(page: Page, pages: AccountPages) -> Outcome:
    """What the page says now; the site's own error words first, then a signed-in page."""
    body, error = await _body(page), await _text(page, pages.error)
    # The banner's own words count too: on a busy machine the body can be read mid-navigation (empty)
    # and the banner a moment later, and "not verified" read as a plain error sent a stored account
    # off to be created again.
    body = f"{body}\n{error.casefold()}"
    if _said(body, pages.not_verified):
        return Outcome("unverified", error)
    if _said(body, pages.exists):
        return Outcome("exists", error)
    if error:
        return Outcome("error", error)
    if _said(body, pages.code_sent):
        return Outcome("code")
    if _said(body, pages.verification_sent):
        return Outcome("sent")
    if await shows(page, (pages.signed_in,)):
        return Outcome("in")
    return Outcome("none")


async def outcome(page: Page, pages: AccountPages, timeout_s: float = ANSWER_WAIT_S) -> Outcome:
    """The site's answer to the click just made, waited for until it shows."""
    deadline = time.monotonic() + timeout_s
    while True:
        seen = await read(page, pages)
        if seen.kind != "none" or time.monotonic() >= deadline:
            return seen
        await asyncio.sleep(POLL_S)


async def resent(page: Page, pages: AccountPages, before: str, timeout_s: float = ANSWER_WAIT_S) -> Outcome:
    """The site's answer to "resend the verification": a code page ("code"), word of a mail ("sent"),
    else what it said. Only a page that changed counts: the "not verified" it answers may still show."""
    deadline = time.monotonic() + timeout_s
    while True:
        body = await _body(page)
        if body and body != before:
            if (pages.code_form and await shows(page, (pages.code_form,))) or _said(body, pages.code_sent):
                return Outcome("code")
            if _said(body, pages.verification_sent):
                return Outcome("sent")
        if time.monotonic() >= deadline:
            return Outcome("none", await _text(page, pages.error))
        await asyncio.sleep(POLL_S)
