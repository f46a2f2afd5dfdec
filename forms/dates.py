"""Dates as the profile holds them ("YYYY", "YYYY-MM", "YYYY-MM-DD"), written the way a field asks,
and read back from what a field shows. Pure.

A field says how it wants a date by its type (`date`, `month`), its placeholder or label ("MM /
YYYY", "DD.MM.YYYY"); a pop-up picker that says nothing is tried in unambiguous forms only. A
date known to the month goes into a field that wants a day as the first of that month; a date
known only to the year never goes into a field that wants a month (that would be a guess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("January February March April May June July August September October November December").split()
ISO = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
# A written format in a placeholder or label: MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, YYYY-MM, ...
FORMAT = re.compile(r"\b(dd|mm|yyyy|yy)\b(?:\s*([./-])\s*\b(dd|mm|yyyy|yy)\b)(?:\s*\2\s*\b(dd|mm|yyyy|yy)\b)?", re.I)


@dataclass(frozen=True)
class When:
    year: int
    month: int | None = None
    day: int | None = None


def when(text: str | None) -> When | None:
    """The profile's date, or None when it is not one."""
    found = ISO.fullmatch((text or "").strip())
    if found is None:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return When(year or 0, month, day)


def _written(w: When, tokens: tuple[str, ...], sep: str) -> str | None:
    parts = {"yyyy": f"{w.year:04d}", "yy": f"{w.year % 100:02d}"}
    if w.month is not None:
        parts["mm"] = f"{w.month:02d}"
        parts["dd"] = f"{w.day or 1:02d}"
    if any(t not in parts for t in tokens):
        return None
    return sep.join(parts[t] for t in tokens)


def format_in(says: str) -> tuple[tuple[str, ...], str] | None:
    """The format a placeholder or label names: its parts in order and their separator."""
    found = FORMAT.search(says)
    if found is None:
        return None
    tokens = tuple(t.casefold() for t in (found.group(1), found.group(3), found.group(4)) if t)
    return tokens, found.group(2)


def part(w: When, which: str) -> str | None:
    """One part of a segmented date: the year, the month's number, the day (the first, for a month)."""
    if which == "year":
        return f"{w.year:04d}"
    if w.month is None:
        return None
    return f"{w.month:02d}" if which == "month" else f"{w.day or 1:02d}"


def candidates(w: When, field_type: str, says: str) -> list[str]:
    """What to type, best first: the native form, else the format the field names, else the
    unambiguous forms a picker reads (never a day-month order the field did not name)."""
    if w.month is None:
        return [] if field_type in ("date", "month") or format_in(says) else [f"{w.year:04d}"]
    if field_type == "date":
        return [f"{w.year:04d}-{w.month:02d}-{w.day or 1:02d}"]
    if field_type == "month":
        return [f"{w.year:04d}-{w.month:02d}"]
    named = format_in(says)
    if named is not None:
        shaped = _written(w, *named)
        return [shaped] if shaped else []
    if w.day is None:
        return [f"{w.month:02d}/{w.year:04d}", f"{w.year:04d}-{w.month:02d}", f"{MONTHS[w.month - 1]} {w.year:04d}"]
    return [f"{w.year:04d}-{w.month:02d}-{w.day:02d}", f"{MONTHS[w.month - 1]} {w.day}, {w.year:04d}"]


def _month_named(word: str) -> int | None:
    word = word.casefold().rstrip(".")
    return next((i + 1 for i, m in enumerate(MONTHS) if len(word) >= 3 and m.casefold().startswith(word)), None)


def _read_numbers(shown: str, says: str) -> When | None:
    numbers = [int(n) for n in re.findall(r"\d+", shown)]
    named = format_in(says)
    if named is not None and len(named[0]) == len(numbers):
        got = dict(zip(named[0], numbers, strict=True))
        year = got.get("yyyy", 2000 + got.get("yy", -2000))
        return When(year, got.get("mm"), got.get("dd"))
    if len(numbers) == 2:  # MM/YYYY or YYYY-MM: the four digits are the year
        year, month = (numbers[0], numbers[1]) if numbers[0] > 31 else (numbers[1], numbers[0])
        return When(year, month)
    if len(numbers) == 3 and numbers[0] > 31:
        return When(numbers[0], numbers[1], numbers[2])
    return None


def shown_as(shown: str, says: str = "") -> When | None:
    """The date a field shows, read as a person would: "03/2019", "2019-03-01", "Mar 2019", ..."""
    text = shown.strip()
    if not text:
        return None
    words = re.findall(r"[A-Za-z]+\.?", text)
    month = next((m for m in (_month_named(w) for w in words) if m), None)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if month is not None:
        year = next((n for n in numbers if n > 31), None)
        day = next((n for n in numbers if n <= 31), None)
        return When(year, month, day) if year else None
    return _read_numbers(text, says)


def means(shown: str, w: When, says: str = "") -> bool:
    """Whether what the field shows is the date meant (a day the profile does not give is not compared)."""
    got = shown_as(shown, says)
    if got is None or got.year != w.year or got.month != w.month:
        return False
    return w.day is None or got.day in (None, w.day)


def picked(shown: str, w: When, says: str = "") -> bool:
    """Whether a field shows the date just pressed in its calendar. The press settles what a written
    "06/01/2015" leaves open (June 1st or 6 January): the year, and the month and day (the first, for
    a date known to the month) in either order."""
    if means(shown, w, says):
        return True
    numbers = [int(n) for n in re.findall(r"\d+", shown)]
    if w.month is None or len(numbers) != 3 or w.year not in numbers:
        return False
    rest = list(numbers)
    rest.remove(w.year)
    return sorted(rest) == sorted((w.month, w.day or 1))


def month_option(labels: list[str], month: int) -> str | None:
    """The option of a month list that is this month: "March", "Mar", "3" or "03"."""
    for label in labels:
        text = label.strip()
        if (text.isdigit() and int(text) == month) or (_month_named(text) == month and text.isalpha()):
            return label
    return None
