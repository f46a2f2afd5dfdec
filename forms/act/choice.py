"""Choices a page shows all at once: native selects, radio groups, checkboxes, toggle buttons."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from forms.act.common import Filled, frame_of, locate, locate_option, same
from forms.act.common import on as on_element
from forms.records import FieldRecord, Option, Resolution

CLICK_MS = 2000


def _option(record: FieldRecord, label: str) -> Option | None:
    return next((o for o in record.options if same(o.label, label)), None)


async def fill_select(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    field = locate(page, record)
    wanted = list(res.values or (res.choice,))
    if sorted(record.checked) == sorted(wanted):
        return Filled(record, res, "kept", "; ".join(record.checked))
    values = [(_option(record, w) or Option(w, w)).value for w in wanted]
    for _ in range(2):
        await field.select_option(values)
        shown = await on_element(page, record, "e => [...e.selectedOptions].map(o => o.textContent.trim())")
        if all(any(same(s, w) for s in shown) for w in wanted):
            return Filled(record, res, "filled", "; ".join(shown))
    return Filled(record, res, "failed", "; ".join(shown), "the select did not keep the option")


async def _tick(page: Page, record: FieldRecord, option: Locator, on: bool, handle: str = "") -> None:
    """Tick as a person does: the box itself where it shows, else its label (custom-styled inputs hide
    the box); the reader saw both on screen, so no waiting for them to settle. Where something lies
    over the box (a cookie banner), the click that reaches it is the element's own."""
    if await option.is_visible():
        try:
            await option.set_checked(on, force=True, timeout=CLICK_MS)
            return
        except PlaywrightError:
            pass
    ident = await option.get_attribute("id")
    frame = frame_of(page, record)
    label = frame.locator(f'label[for="{ident}"]').first if ident else option.locator("xpath=ancestor::label[1]")
    try:
        await label.click(force=True, timeout=CLICK_MS)
        if await _is_checked(page, record, handle) == on:
            return
    except PlaywrightError:
        pass
    await option.evaluate("e => e.click()")  # the same events a click on it sends


async def _is_checked(page: Page, record: FieldRecord, handle: str = "") -> bool:
    """Whether the box (the record's, or its option's `handle`) is ticked, in one cheap round trip."""
    return bool(await on_element(page, record, "e => e.checked", handle=handle))


async def fill_radio(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    option = _option(record, res.choice)
    if option is None:
        return Filled(record, res, "failed", "", "the chosen option is gone")
    target = locate_option(page, record, option)
    if await _is_checked(page, record, option.handle):
        return Filled(record, res, "kept", option.label)
    for _ in range(2):
        await _tick(page, record, target, True, option.handle)
        if await _is_checked(page, record, option.handle):
            return Filled(record, res, "filled", option.label)
    return Filled(record, res, "failed", "", "the radio button did not stay chosen")


async def fill_checkbox(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    on = res.value == "Yes"
    box = locate(page, record)
    if await _is_checked(page, record) == on:
        return Filled(record, res, "kept", "checked" if on else "")
    for _ in range(2):
        await _tick(page, record, box, on)
        if await _is_checked(page, record) == on:
            return Filled(record, res, "filled", "checked" if on else "")
    return Filled(record, res, "failed", "", "the tick did not stay")


async def fill_checkboxes(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    wanted = set(res.values)
    for option in record.options:
        box = locate_option(page, record, option)
        on = any(same(option.label, w) for w in wanted)
        if await _is_checked(page, record, option.handle) != on:
            await _tick(page, record, box, on, option.handle)
    shown = [o.label for o in record.options if await _is_checked(page, record, o.handle)]
    ok = sorted(map(str.casefold, shown)) == sorted(map(str.casefold, wanted))
    return Filled(record, res, "filled" if ok else "failed", "; ".join(shown), "" if ok else "ticks did not stay")


async def fill_buttons(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    """Toggle buttons (Yes / No with aria-pressed): press the one that means the answer."""
    option = _option(record, res.choice)
    if option is None:
        return Filled(record, res, "failed", "", "the chosen button is gone")
    button = locate_option(page, record, option)
    for attempt in range(3):
        if await button.get_attribute("aria-pressed") == "true":
            return Filled(record, res, "kept" if attempt == 0 else "filled", option.label)
        if attempt < 2:
            await button.click(force=True)
    return Filled(record, res, "failed", "", "the button did not stay pressed")


# A drawn choice item says it is chosen by aria-checked (role=radio) or aria-selected (role=option).
CHOSEN_JS = "e => e.getAttribute('aria-checked') === 'true' || e.getAttribute('aria-selected') === 'true'"


async def fill_listbox(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    """A choice drawn without native inputs (often inside a custom element's shadow root): click the
    item that means the answer, as a person would, and check the widget marks it chosen."""
    option = _option(record, res.choice)
    if option is None:
        return Filled(record, res, "failed", "", "the chosen option is gone")
    item = locate_option(page, record, option)
    for attempt in range(3):
        if await on_element(page, record, CHOSEN_JS, handle=option.handle):
            return Filled(record, res, "kept" if attempt == 0 else "filled", option.label)
        if attempt < 2:
            await item.click(force=True, timeout=CLICK_MS)
    return Filled(record, res, "failed", "", "the option did not stay chosen")
