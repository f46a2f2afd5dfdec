"""What a platform puts between an account and the job, as the page shows it: a sign-in wall, a
checkpoint ("Let's do a quick security check"), a two-step challenge, a daily limit. Pure reading:
what to do about each is signin.py's."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from forms.records import Challenge

Kind = Literal["wall", "checkpoint", "two_step"]

# Platform knowledge as data. Where LinkedIn puts its checkpoints (the real site's paths, also
# under the sandbox's /linkedin prefix), and the words each one shows.
CHECKPOINT_PATH = re.compile(r"/checkpoint/(challenge|challengesV2|lg/login-challenge)", re.I)
TWO_STEP_TEXT = re.compile(r"two-step verification|enter the \d-digit code|authenticator app", re.I)
CHECKPOINT_TEXT = re.compile(r"quick security check|verify (that )?you.re (a human|not a robot)", re.I)
# LinkedIn's sign-in pages: /login, /uas/login, /checkpoint/lg/login-submit and the guest authwall.
WALL_PATH = re.compile(r"/(login|uas/login|authwall|checkpoint/lg/login-submit)(/|$|\?)", re.I)
# "You've reached the Easy Apply application limit for today" (LinkedIn); a page that names a
# later time ("try again in 5 hours") is taken at its word.
LIMIT_TEXT = re.compile(r"reached the (easy apply )?application limit|daily (application )?limit", re.I)
LATER_TEXT = re.compile(r"(?:try again|come back) in (\d{1,2}) hours?", re.I)


@dataclass(frozen=True)
class Barrier:
    kind: Kind
    detail: str = ""


async def _text(page: Page) -> str:
    try:
        return " ".join((await page.inner_text("body", timeout=2_000)).split())
    except PlaywrightError:
        return ""


async def _password_shown(page: Page) -> bool:
    try:
        return bool(await page.locator("input[type=password]").filter(visible=True).count())
    except PlaywrightError:
        return False


async def seen(page: Page, found: tuple[Challenge, ...]) -> Barrier | None:
    """The barrier the page shows now; `found` is the form engine's reading of the same page."""
    path = urlsplit(page.url).path
    text = await _text(page)
    if CHECKPOINT_PATH.search(path) or CHECKPOINT_TEXT.search(text):
        return Barrier("two_step" if TWO_STEP_TEXT.search(text) else "checkpoint", path)
    if TWO_STEP_TEXT.search(text):
        return Barrier("two_step", path)
    if any(c.kind == "login_wall" for c in found) or (WALL_PATH.search(path) and await _password_shown(page)):
        return Barrier("wall", path)
    return None


def limit_until(text: str, now: datetime) -> datetime:
    """When a daily limit ends: the time the page names, else the platform's next day (UTC midnight)."""
    later = LATER_TEXT.search(text)
    if later:
        return now + timedelta(hours=int(later.group(1)))
    tomorrow = (now.astimezone(UTC) + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC)


async def limit_text(page: Page) -> str:
    """The sentence of the page that says a daily limit is reached (with any later time it names), or ""."""
    try:
        lines = (await page.inner_text("body", timeout=2_000)).splitlines()
    except PlaywrightError:
        return ""
    for line in (" ".join(raw.split()) for raw in lines):
        found = LIMIT_TEXT.search(line)
        if found is None:
            continue
        start = line.rfind(". ", 0, found.start()) + 1
        end = line.find(". ", found.end())
        sentence = line[start : end + 1 if end != -1 else len(line)].strip()
        later = LATER_TEXT.search(line)
        return f"{sentence} {later.group(0)}." if later and later.group(0) not in sentence else sentence
    return ""
