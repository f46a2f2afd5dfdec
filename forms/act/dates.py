"""Date fields: native `date` and `month` inputs, text fields that name their format, and pop-up
pickers (a text input that opens a calendar and reads what is typed when it is left). The date is
typed in the form the field asks for; a picker that drops or rewrites it is given the next
unambiguous form, and the field must then show the date meant. A read-only input (its calendar is the
only way in), or a picker that drops every typed form, gets the date through its calendar."""

from __future__ import annotations

from playwright.async_api import Page

from forms.act.calendar import through_calendar
from forms.act.common import Filled, on
from forms.dates import When, candidates, means, picked, shown_as
from forms.records import FieldRecord, Resolution

# Type, announce, leave the field (where pickers read and rewrite typed text), give the page's
# own handlers a moment, close a calendar still open, and read back what the field kept.
DATE_JS = """async (e, value) => {
  if (!(e instanceof HTMLInputElement) || e.readOnly) return null;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  e.focus();
  setter.call(e, value);
  e.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: value }));
  e.dispatchEvent(new Event("change", { bubbles: true }));
  e.blur();
  await new Promise((r) => setTimeout(r, 30));
  e.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  return e.value;
}"""


def _says(record: FieldRecord) -> str:
    return f"{record.placeholder} {record.label}"


def _meant(record: FieldRecord, res: Resolution) -> When | None:
    return shown_as(str(res.value), _says(record))


async def fill_date(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    w = _meant(record, res)
    if w is None:
        return Filled(record, res, "failed", "", f"{res.value!r} is not a date")
    if record.value and means(record.value, w, _says(record)):
        return Filled(record, res, "kept", record.value)
    field_type = record.type if record.widget == "date" else ""
    tries = [str(res.value)] + [t for t in candidates(w, field_type, _says(record)) if t != res.value]
    shown = ""
    for text in tries:
        entered = await on(page, record, DATE_JS, text)
        if entered is None:
            break  # read-only, or no input at all: typing is not how this field takes a date
        shown = str(entered)
        if means(shown, w, _says(record)):
            return Filled(record, res, "filled", shown)
    if field_type not in ("date", "month"):  # a native input takes what is typed, or nothing
        chosen = await through_calendar(page, record, w)
        if chosen is not None and picked(chosen, w, _says(record)):
            return Filled(record, res, "filled", chosen)
        shown = chosen or shown
    return Filled(record, res, "failed", shown, "the date field did not keep the date")
