"""Acting: one small adapter per widget kind. Each fills as a person would, then reads back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page

from forms.act.choice import fill_buttons, fill_checkbox, fill_checkboxes, fill_listbox, fill_radio, fill_select
from forms.act.combobox import fill_combobox, fill_listbox_button
from forms.act.common import Filled
from forms.act.dates import fill_date
from forms.act.files import fill_file
from forms.act.text import fill_text
from forms.datefit import DATE_PART, is_date_key
from forms.records import FieldRecord, Resolution

Adapter = Callable[[Page, FieldRecord, Resolution], Awaitable[Filled]]
ADAPTERS: dict[str, Adapter] = {
    "text": fill_text,
    "email": fill_text,
    "tel": fill_text,
    "number": fill_text,
    "url": fill_text,
    "search": fill_text,
    "password": fill_text,
    "textarea": fill_text,
    "date": fill_date,
    "date_part": fill_text,  # one segment of a segmented date (Month / Day / Year spinbuttons)
    "select": fill_select,
    "multiselect": fill_select,
    "radio": fill_radio,
    "checkbox": fill_checkbox,
    "checkboxes": fill_checkboxes,
    "buttons": fill_buttons,
    "listbox": fill_listbox,
    "combobox": fill_combobox,
    "listbox_button": fill_listbox_button,
    "file": fill_file,
}


async def act(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    if record.widget == "text" and (is_date_key(res.key) and not DATE_PART.search(res.key)):
        return await fill_date(page, record, res)  # a whole date in a text field: a picker, or a written format
    adapter = ADAPTERS.get(record.widget)
    if adapter is None:
        return Filled(record, res, "unresolved", "", f"no adapter for {record.widget} fields yet")
    return await adapter(page, record, res)
