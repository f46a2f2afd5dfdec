"""Cities and schools as the real typeaheads offer them: the known ones that match, and whatever
reasonable place or school the person typed, since the real services know every town and college."""

import re

from sandbox import pools

PLACE_RE = re.compile(r"^[^\W\d_][\w .,'()\-]{1,118}$", re.UNICODE)
MAX_SUGGESTIONS = 10


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def place_ok(text: str) -> bool:
    """A city-like name: starts with a letter, no more than a line, no digits-only or email-like text."""
    text = text.strip()
    return bool(PLACE_RE.match(text)) and "@" not in text and sum(c.isdigit() for c in text) <= 2


def school_ok(name: str) -> bool:
    """Any reasonable school name, as on the real sites: a few letters, not a paragraph."""
    return 2 <= len(name.strip()) <= 150 and any(c.isalpha() for c in name)


def _with_typed(known: list[str], typed: str, ok: bool) -> list[str]:
    found = known[:MAX_SUGGESTIONS]
    if ok and typed.lower() not in (k.lower() for k in found):
        found = [*found[: MAX_SUGGESTIONS - 1], _title(typed)]
    return found


def cities(query: str) -> list[str]:
    typed = query.strip()
    known = [c for c in pools.CITIES if typed and typed.lower() in c.lower()]
    return _with_typed(known, typed, len(typed) >= 3 and place_ok(typed)) if typed else []


def schools(query: str) -> list[str]:
    typed = query.strip()
    known = [s for s in pools.SCHOOLS if typed and typed.lower() in s.lower() and s != "Other"]
    return _with_typed(known, typed, len(typed) >= 3 and school_ok(typed)) if typed else []
