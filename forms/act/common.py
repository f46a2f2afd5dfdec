"""What every widget adapter shares: finding the field again, and how a filled field reports back."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from playwright.async_api import Frame, Locator, Page

from forms.records import FieldRecord, Option, Resolution
from forms.text import fold

# How long an adapter waits for a widget to answer (a list to open, suggestions to load).
WIDGET_WAIT_MS = 2500
Outcome = Literal["filled", "kept", "failed", "unresolved"]


@dataclass(frozen=True)
class Filled:
    record: FieldRecord
    resolution: Resolution
    outcome: Outcome
    shown: str = ""  # what the page shows afterwards
    detail: str = ""  # why it failed or stayed unresolved
    seconds: float = 0.0


def frame_of(page: Page, record: FieldRecord) -> Frame:
    frames = page.frames
    return frames[record.frame] if record.frame < len(frames) else page.main_frame


def locate(page: Page, record: FieldRecord) -> Locator:
    """The element by the reader's stamp (it survives until the element is re-created)."""
    return frame_of(page, record).locator(f'[data-autoapply="{record.handle}"]').first


def locate_option(page: Page, record: FieldRecord, option: Option) -> Locator:
    return frame_of(page, record).locator(f'[data-autoapply="{option.handle}"]').first


# The stamped element: the one the reader kept (reader.js), else the first carrying the stamp in the
# document or an open shadow root (an element a script re-created with its attributes).
FIND_JS = """(stamp) => {
  const held = window.__autoapplyStamped?.get(stamp)?.deref();
  if (held && held.isConnected && held.getAttribute("data-autoapply") === stamp) return held;
  const selector = `[data-autoapply="${CSS.escape(stamp)}"]`;
  const search = (root) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      const inner = el.shadowRoot && search(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  return search(document);
}"""


@cache
def _on_element(js: str) -> str:
    return f"""async ([stamp, arg]) => {{
  const e = ({FIND_JS})(stamp);
  return e ? [await ({js})(e, arg)] : null;
}}"""


async def on(page: Page, record: FieldRecord, js: str, arg: Any = None, *, handle: str = "") -> Any:
    """`js(element, arg)` on the stamped element (the record's, or one of its options' `handle`) in one
    round trip: a locator's evaluate takes three (find, evaluate, release), each through the page's
    selector engine. An element not there yet is waited for as a locator waits."""
    stamp = handle or record.handle
    found = await frame_of(page, record).evaluate(_on_element(js), [stamp, arg])
    if found is not None:
        return found[0]
    where = frame_of(page, record).locator(f'[data-autoapply="{stamp}"]').first
    return await where.evaluate(js, arg)


# Where a pointer at the element's centre lands on it, after scrolling it into sight if it is not:
# the point, else null (covered by something, or drawn with no size).
POINT_JS = """(e) => {
  let r = e.getBoundingClientRect();
  if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) {
    e.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    r = e.getBoundingClientRect();
  }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = r.width && r.height ? document.elementFromPoint(x, y) : null;
  return hit && (hit === e || e.contains(hit) || hit.contains(e)) ? [x, y] : null;
}"""


async def click(page: Page, record: FieldRecord, field: Locator) -> None:
    """A real click on the field, as a person's: straight at its centre in the top frame where nothing
    lies over it (two round trips and four messages to the browser, against a locator click's one
    round trip and eleven messages: find, scroll, measure, release); else the locator's forced click."""
    point = await on(page, record, POINT_JS) if record.frame == 0 else None
    if point:
        await page.mouse.click(float(point[0]), float(point[1]))
    else:
        await field.click(force=True)  # the field is on screen (the reader saw it); waiting for "stable" costs


def same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


async def type_like_a_person(field: Locator, text: str) -> None:
    """Typeahead input: the text goes in as input, the last character as a real key press, so
    listeners on input and on keydown both see someone typing (one round trip per part)."""
    await field.fill(text[:-1])
    await field.press(text[-1:] or "End")
