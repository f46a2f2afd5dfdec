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
# A page whose document has not changed for this long is taken as rendered (hydration, late forms).
QUIET_FOR_S = 0.15
POLL_S = 0.1
# A page that never stops changing (a ticker, an animation) is read after this long anyway.
QUIET_AT_MOST_S = 1.5


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


# Resolves once the document has not changed for quietMs (or after maxMs): late renders, hydration.
# It answers how many changes it saw while waiting.
QUIET_JS = """([quietMs, maxMs]) => new Promise((resolve) => {
  const start = Date.now();
  let timer = 0, changes = 0;
  const done = () => { observer.disconnect(); clearTimeout(timer); resolve(changes); };
  const observer = new MutationObserver(() => {
    changes += 1;
    clearTimeout(timer);
    if (Date.now() - start >= maxMs) done(); else timer = setTimeout(done, quietMs);
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  timer = setTimeout(done, quietMs);
  setTimeout(done, maxMs);
})"""


async def _quiet(page: Page, max_s: float) -> bool:
    """Waits for the page to be quiet; True when it changed meanwhile (or could not say)."""
    try:
        changes = await page.main_frame.evaluate(QUIET_JS, [int(QUIET_FOR_S * 1000), int(max(max_s, 0.05) * 1000)])
    except PlaywrightError:
        return True  # navigating: the next read sees the new page
    return bool(changes)


async def read_settled(
    page: Page, timeout_s: float = 8.0, *, live: bool = True, known: list[FieldRecord] | None = None
) -> list[FieldRecord]:
    """Read once the page is quiet; a page with no question yet is waited on until `timeout_s`.

    `live` is False for a saved page opened with scripts off: nothing can change, one read is enough.
    `known` is a read taken just before, with nothing done to the page since: where the page did not
    change while it was waited on, that read is the answer (a read costs the page about 0.2 s of CPU).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if live:
            changed = await _quiet(page, min(QUIET_AT_MOST_S, deadline - time.monotonic()))
            if known is not None and not changed and any(not r.noise for r in known):
                return known
        known = None
        records = await read_page(page)
        if not live or any(not r.noise for r in records) or time.monotonic() >= deadline:
            return records
        await asyncio.sleep(POLL_S)
