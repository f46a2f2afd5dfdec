"""Correcting a value the page refused: the same answer written the way the page's message asks.

Pure. Only the form changes (a phone in international digits, a date in the page's order, a link
with or without its scheme, a shorter way to write the same thing under a length limit); what the
answer says never does. A message that asks for something else (a different answer, a shorter
text the user must write) gets no correction: it is reported with the page's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forms.money import amount
from forms.records import FieldRecord
from forms.resolve import DATE_FORMATS, ISO_DATE
from forms.text import digits_only


@dataclass(frozen=True)
class Correction:
    """A field the page refused, what it said, and the value written again (or why not)."""

    label: str
    selector: str
    message: str
    before: str
    after: str = ""  # "" when nothing in the profile fits what the page asks

    @property
    def corrected(self) -> bool:
        return bool(self.after)


LIMIT = re.compile(
    r"(?:at most|no more than|maximum(?: of)?|max\.?|up to|limit(?:ed)? (?:of|to)|exceeds?)\s*(\d+)\s*char"
    r"|(\d+)\s*char\w*\s*(?:or (?:fewer|less)|max|maximum|at most)",
    re.I,
)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
# A message about how a value is written (not about what it says): only these get another form.
ABOUT_FORM = {
    "phone": re.compile(r"valid|format|like|e\.g|example|digits|international|country code|\+\d", re.I),
    "url": re.compile(r"url|link|address|https?|scheme|valid|format", re.I),
    "number": re.compile(r"number|numeric|digits|numerals|amount|like \d", re.I),
}


def limit_of(message: str) -> int | None:
    found = LIMIT.search(message)
    return int(found.group(1) or found.group(2)) if found else None


def phone_forms(value: str) -> list[str]:
    """The same number written the ways pages ask for: international (E.164), digits only."""
    digits = digits_only(value)
    if len(digits) < 7:
        return []
    forms = [f"+{digits}"] if value.strip().startswith("+") else []
    return [*forms, digits]


def url_forms(value: str) -> list[str]:
    bare = SCHEME.sub("", value.strip())
    return [f"https://{bare}", bare, re.sub(r"^www\.", "", bare)]


def date_forms(value: str, message: str) -> list[str]:
    """An ISO date written in the order the message shows (DD/MM/YYYY, MM/DD/YYYY ...)."""
    if not ISO_DATE.fullmatch(value.strip()):
        return []
    y, m, d = value.strip().split("-")
    folded = message.casefold().replace(" ", "")
    return [f.format(y=y, m=m, d=d) for pattern, f in DATE_FORMATS if pattern in folded]


def _kind(record: FieldRecord, key: str, value: str) -> str:
    if key in ("phone", "phone_national") or record.widget == "tel" or record.type == "tel":
        return "phone"
    if key.endswith("_url") or record.widget == "url" or SCHEME.match(value) or re.match(r"^www\.", value):
        return "url"
    if ISO_DATE.fullmatch(value.strip()) or key in ("earliest_start", "education_start", "education_end"):
        return "date"
    if key == "salary":
        return "number"
    return "text"


def _asks_date(message: str) -> bool:
    return any(pattern in message.casefold().replace(" ", "") for pattern, _ in DATE_FORMATS)


def rewrite(record: FieldRecord, key: str, value: str, message: str) -> str | None:
    """The value written as the page's message asks, or None when no other form of it fits."""
    kind = _kind(record, key, value)
    candidates = {
        "phone": lambda: phone_forms(value),
        "url": lambda: url_forms(value),
        "date": lambda: date_forms(value, message),
        "number": lambda: [str(n) for n in (amount(value),) if n is not None],
    }.get(kind, lambda: [])()
    if kind == "text" and _asks_date(message):
        candidates = date_forms(value, message)
    limit = limit_of(message)
    if limit is None and kind in ABOUT_FORM and not ABOUT_FORM[kind].search(message):
        return None
    fits = [c for c in candidates if c and c != value and (limit is None or len(c) <= limit)]
    if kind == "url" and limit is None:
        fits = [c for c in fits if bool(SCHEME.match(c)) != bool(SCHEME.match(value))]  # scheme added or dropped
    return fits[0] if fits else None
