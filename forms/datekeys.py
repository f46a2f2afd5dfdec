"""Which date a date field asks for: the start or end of a job or of a school, which part of it
(month, year, day, or the whole date), or today's (a signature). Pure.

The section decides whose date it is: a field's id, name, group or heading naming work
("workExperience-1--startDate", "Employment") or school ("Education"). A "From" with nothing
around it to say whose is left unclassified: it is never given a job's date by chance.
"""

from __future__ import annotations

import re

from forms.dates import format_in
from forms.records import FieldRecord
from forms.text import fold

WORK = re.compile(r"\b(work|employ\w*|experience|job|position|career|company|employer|role)\b")
WORK_ID = re.compile(r"\bwork (experience|history)\b|\bemployment\b|\bemployer\b")
SCHOOL = re.compile(r"\b(educat\w*|school|universit\w*|college|degree|stud(y|ies)|academic|graduat\w*)\b")
START = re.compile(r"\b(start\w*|from|began|begin|since|joined|first year attended)\b")
END = re.compile(r"\b(end\w*|to|until|till|finish\w*|left|graduat\w*|completion|completed|last year attended)\b")
PARTS = (
    ("month", re.compile(r"\bmonth\b|\bmm\b")),
    ("year", re.compile(r"\byears?\b|\byyyy\b")),
    ("day", re.compile(r"\bday\b|\bdd\b")),
)
# Dates that are not a job's or a school's: the start the user can make, a birth date.
OTHER = re.compile(r"earliest|availab|when can you|birth|expir|issued|today|signature|signed")
TODAY = re.compile(r"^(today s )?date$|signature date|date signed|^today$")
DATE_WIDGETS = frozenset({"date", "date_part"})
CHOICES = frozenset({"select", "combobox", "listbox_button"})


def _words(text: str) -> str:
    return fold(re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " "))


def _part(record: FieldRecord) -> str:
    """month, year or day for one part of a date; "" for a whole date."""
    if record.widget == "date":
        return ""  # a native date or month input holds the whole date
    own = _words(" ".join((record.aria_label, record.placeholder, record.hint, record.id or "", record.name or "")))
    label = _words(record.label)
    for text in (own, label) if record.widget == "date_part" else (label, own):
        found = next((name for name, pattern in PARTS if pattern.search(text)), "")
        if found and not format_in(record.placeholder):
            return found
    return ""


def _dateish(record: FieldRecord, asks: str) -> bool:
    if record.widget in DATE_WIDGETS or record.type == "month" or format_in(record.placeholder):
        return True
    ends = bool(START.search(asks) or END.search(asks))
    if record.widget == "text" and ends:  # a pop-up picker is a text input: its id or name says date
        named = _words(f"{record.id or ''} {record.name or ''} {record.hint}")
        if re.search(r"\b(date|month|calendar|picker)\b", named):
            return True
    if record.widget in CHOICES | {"text"}:
        return bool(re.search(r"\b(month|year)\b", asks)) and ends
    return False


def _family(record: FieldRecord) -> str:
    """Whose date: a job's or a school's. Ids and names say it only in so many words (a platform's
    own ids are full of "jobs"); a group, heading or label may say it in any of them."""
    named = _words(" ".join((record.id or "", record.name or "")))
    shown = _words(" ".join((record.group_label, record.section, record.label)))
    if WORK_ID.search(named) or WORK.search(shown):
        return "work"
    return "education" if SCHOOL.search(named) or SCHOOL.search(shown) else ""


def date_key(record: FieldRecord) -> str:
    """The date key of a date field ("work_start_month", "education_end", "today_year"), else ""."""
    asks = _words(" ".join((record.label, record.group_label)))
    if not _dateish(record, asks):
        return ""
    part = _part(record)
    signed = TODAY.search(_words(record.label)) or TODAY.search(_words(record.nearby))
    if record.widget == "date_part":  # a segment's own words are its legend's, the nearest text above it
        asks = _words(" ".join((record.nearby, asks, record.id or "", record.name or "")))
    if signed and not (START.search(asks) or END.search(asks)):
        return f"today_{part}" if part else "today"
    if OTHER.search(asks):
        return ""
    end = "start" if START.search(asks) else "end" if END.search(asks) else ""
    family = _family(record)
    if not end or not family:
        return ""
    return f"{family}_{end}_{part}" if part else f"{family}_{end}"
