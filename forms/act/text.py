"""Text-like fields: type as a person would, leave a correct value alone, check it stuck.

A field that offers suggestions while one types (a location or school typeahead that is a plain
input) gets its value from the suggestion that means it, as a person would pick it.
"""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from forms.act.common import Filled, frame_of, locate, same, type_like_a_person
from forms.choose import choose
from forms.records import FieldRecord, Option, Resolution
from forms.text import digits_only

# Fields whose page may offer suggestions to pick from while typing.
TYPEAHEAD_KEYS = frozenset({"location", "city", "school"})
# Suggestions show within a few hundred milliseconds where a field has them at all.
SUGGESTION_WAIT_MS = 800
SUGGESTIONS = "[role=option]:visible, .dropdown-location:visible, .pac-item:visible"


def stuck(record: FieldRecord, want: str, shown: str) -> bool:
    if record.widget == "tel" or record.type == "tel" or "phone" in (record.name or record.id or "").lower():
        return digits_only(shown).endswith(digits_only(want)[-7:]) and len(digits_only(shown)) >= 7
    return same(shown, want) or shown.strip() == want.strip()


async def fill_text(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    want = str(res.value)
    field = locate(page, record)
    before = await field.input_value()
    if stuck(record, want, before):
        return Filled(record, res, "kept", before)
    if res.key in TYPEAHEAD_KEYS:
        picked = await _from_suggestions(page, record, res, field)
        if picked is not None:
            return picked
    for _ in range(2):  # one retry: a page script may reset the value on first input
        shown = await _type(field, want)
        if stuck(record, want, shown):
            return Filled(record, res, "filled", shown)
    return Filled(record, res, "failed", shown, "the page did not keep the value")


async def _type(field: Locator, value: str) -> str:
    """Focus, type (the page's input listeners see it), leave the field (its change listeners fire),
    and read back what it kept."""
    await field.fill(value)
    return str(await field.evaluate("e => { e.blur(); return e.value; }"))


async def _from_suggestions(page: Page, record: FieldRecord, res: Resolution, field: Locator) -> Filled | None:
    """Type the first part ("Seattle"), then pick the suggestion that means the whole value."""
    want = str(res.value)
    query = re.split(r"[,(]", want)[0].strip() or want
    await type_like_a_person(field, query)
    frame = frame_of(page, record)
    try:
        await frame.locator(SUGGESTIONS).first.wait_for(timeout=SUGGESTION_WAIT_MS)
    except PlaywrightError:
        return None  # no suggestions: a plain field
    texts = [t.strip() for t in await frame.locator(SUGGESTIONS).all_inner_texts()]
    option = choose(want, [Option(label=t, value=t) for t in texts if t])
    if option is None:
        await field.press("Escape")
        return Filled(record, res, "unresolved", "", f"no suggestion means {want!r}")
    await frame.locator(SUGGESTIONS).filter(has_text=option.label).first.click(force=True)
    shown = await field.input_value()
    return Filled(record, res, "filled" if same(shown, option.label) else "failed", shown)
