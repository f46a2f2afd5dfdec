"""A date set through its pop-up calendar, as a person sets it: open the calendar, move to the month
(or the year), press the day (or the month). For read-only inputs whose value only the calendar can
set, and for pickers that drop every typed form of the date.

The calendar is read in the page (calendar.js: the month it shows from its heading or its cells'
own dates, its previous / next buttons, month and year selects inside it); each press is a real
click, so the page's own listeners (mousedown or click) see a person.
"""

from __future__ import annotations

import itertools
from importlib import resources

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from forms.act.common import frame_of, locate, on
from forms.dates import When
from forms.records import FieldRecord

CALENDAR_JS = resources.files("forms.act").joinpath("calendar.js").read_text(encoding="utf-8")
# Presses to reach a date: with year buttons or selects, a decade back is about 20; month by month,
# five years. A calendar that needs more is left to a person.
MAX_PRESSES = 64
CLICK_MS = 2_000
_LOOKS = (f"c{n}" for n in itertools.count(1))


async def through_calendar(page: Page, record: FieldRecord, w: When) -> str | None:
    """What the field shows after the date was picked in its calendar; None where no calendar opened
    or it offered no way to the date."""
    frame = frame_of(page, record)
    try:
        await locate(page, record).click(timeout=CLICK_MS)
    except PlaywrightError:
        return None
    opened = False
    for _ in range(MAX_PRESSES):
        step = await on(page, record, CALENDAR_JS, [w.year, w.month, w.day, next(_LOOKS), opened])
        if step["do"] == "none":
            return None
        target = frame.locator(f'[data-autoapply-cal="{step["stamp"]}"]').first
        try:
            if step["do"] == "select":
                await target.select_option(str(step["value"]), timeout=CLICK_MS)
            else:
                await target.click(timeout=CLICK_MS)
        except PlaywrightError:
            return None
        opened = opened or step["do"] == "open"
        if step.get("last"):
            return str(await on(page, record, "e => e.value"))
    return None
