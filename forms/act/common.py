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


def same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


async def type_like_a_person(field: Locator, text: str) -> None:
    """Typeahead input: the text goes in as input, the last character as a real key press, so
    listeners on input and on keydown both see someone typing (one round trip per part)."""
    await field.fill(text[:-1])
    await field.press(text[-1:] or "End")
