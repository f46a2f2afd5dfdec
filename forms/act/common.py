"""What every widget adapter shares: finding the field again, and how a filled field reports back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


def same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


async def type_like_a_person(field: Locator, text: str) -> None:
    """Typeahead input: the text goes in as input, the last character as a real key press, so
    listeners on input and on keydown both see someone typing (one round trip per part)."""
    await field.fill(text[:-1])
    await field.press(text[-1:] or "End")
