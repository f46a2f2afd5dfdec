"""Reading: one script per frame turns the page into field records; waits for late renders."""

from __future__ import annotations

import asyncio
import re
import time
from importlib import resources
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from forms.records import FieldRecord

READER_JS = resources.files("forms").joinpath("reader.js").read_text(encoding="utf-8")
# Frames that are never the application: challenge widgets, analytics, video players.
FOREIGN_FRAME = re.compile(r"captcha|recaptcha|challenges\.cloudflare|doubleclick|googletagmanager|youtube|vimeo", re.I)
# A page whose field set has not changed for this long is taken as rendered.
STABLE_FOR_S = 0.25
POLL_S = 0.08


def frames_of(page: Page) -> list[Frame]:
    return [f for f in page.frames if f == page.main_frame or not FOREIGN_FRAME.search(f.url or "")]


async def read_frame(frame: Frame, index: int) -> list[FieldRecord]:
    try:
        raw: dict[str, Any] = await frame.evaluate(READER_JS)
    except PlaywrightError:
        return []  # a frame that navigated or detached while being read has nothing to give
    return [FieldRecord.from_js(r, index) for r in raw["records"]]


async def read_page(page: Page) -> list[FieldRecord]:
    """Every field in the page's frames, in document order, frame by frame."""
    frames = frames_of(page)
    batches = await asyncio.gather(*(read_frame(f, page.frames.index(f)) for f in frames))
    return [record for batch in batches for record in batch]


def _signature(records: list[FieldRecord]) -> tuple[tuple[str, str, int, bool], ...]:
    return tuple((r.selector, r.label, len(r.options), r.visible) for r in records)


async def read_settled(page: Page, timeout_s: float = 8.0, *, want_fields: bool = True) -> list[FieldRecord]:
    """Read until the field set stops changing (pages that render or wire their form late).

    A page with no question yet is waited on until `timeout_s`; then whatever is there is returned.
    """
    deadline = time.monotonic() + timeout_s
    records = await read_page(page)
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(POLL_S)
        again = await read_page(page)
        if _signature(again) != _signature(records):
            records, stable_since = again, time.monotonic()
            continue
        has_questions = any(not r.noise for r in records)
        if time.monotonic() - stable_since >= STABLE_FOR_S and (has_questions or not want_fields):
            break
    return records
