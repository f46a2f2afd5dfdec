"""A profile date shaped to the field that asks for it: the whole date as the field writes dates,
or one part (a month's option, a year, a segment's digits). Pure."""

from __future__ import annotations

import re

from forms.choose import choose, real_options
from forms.dates import MONTHS, candidates, month_option, part, when
from forms.records import CHOICE_WIDGETS, FieldRecord, Provenance, Resolution

# Date keys: whose date ("work", "education") and which end, then the part ("" for the whole date).
DATE_KEY = re.compile(r"^(work|education)_(start|end)(_month|_year|_day)?$")
DATE_PART = re.compile(r"_(month|year|day)$")


def is_date_key(key: str) -> bool:
    return DATE_KEY.match(key) is not None


def dated(record: FieldRecord, value: str, provenance: Provenance, key: str) -> Resolution:
    w = when(value)
    if w is None:
        return Resolution(None, key=key, reason="the profile's date is not YYYY, YYYY-MM or YYYY-MM-DD")
    found = DATE_KEY.match(key)
    which = (found.group(3) or "").lstrip("_") if found else ""
    if not which:
        field_type = record.type if record.widget == "date" else ""
        texts = candidates(w, field_type, f"{record.placeholder} {record.label}")
        if not texts:
            return Resolution(None, key=key, reason="the field wants the month; the profile gives only the year")
        return Resolution(texts[0], provenance, key)
    text = part(w, which)
    if text is None:
        return Resolution(None, key=key, reason=f"the profile gives no {which} for this date")
    return _part(record, text, which, provenance, key)


def _part(record: FieldRecord, text: str, which: str, provenance: Provenance, key: str) -> Resolution:
    options = real_options(record.options) if record.widget in CHOICE_WIDGETS else []
    if which == "month" and options:
        label = month_option([o.label for o in options], int(text))
        if label is None:
            return Resolution(None, key=key, reason=f"no option is the month {text}")
        return Resolution(label, provenance, key, choice=label, values=(label,))
    if options:
        option = choose(text, options) or choose(str(int(text)), options)
        if option is None:
            return Resolution(None, key=key, reason=f"no option is {text}")
        return Resolution(option.label, provenance, key, choice=option.label, values=(option.label,))
    if which == "month" and record.widget in ("combobox", "listbox_button"):
        return Resolution(MONTHS[int(text) - 1], provenance, key)  # its options show once it is opened
    return Resolution(text, provenance, key)
