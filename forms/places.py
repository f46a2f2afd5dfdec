"""Which typeahead suggestion means the user's place. Pure.

A location typeahead offers places ("Portland, Oregon, United States", "Portland, ME, USA"); the one
to pick names the user's city and, for every other part it names (region, country), a part the user
named too, written out or abbreviated. Word overlap is not enough: "Portland, Maine" shares more
words with "Portland, Oregon, United States" than many right answers do. Two places equally good
are ambiguous and choose nothing: a person, not a guess, decides between them.
"""

from __future__ import annotations

from collections.abc import Sequence

from forms.countries import by_iso, by_name
from forms.records import Option
from forms.text import fold

# Regions that suggestions abbreviate (US states, Canadian provinces, Australian states).
REGIONS = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "ON": "Ontario", "QC": "Quebec", "BC": "British Columbia", "AB": "Alberta", "MB": "Manitoba",
    "NS": "Nova Scotia", "NSW": "New South Wales", "VIC": "Victoria", "QLD": "Queensland",
}  # fmt: skip


def parts(place: str) -> list[str]:
    return [fold(p) for p in place.split(",") if fold(p)]


def _names(part: str) -> set[str]:
    """Every way of writing this part: itself, a region's full name, a country's name."""
    found = {part}
    region = REGIONS.get(part.upper())
    if region:
        found.add(fold(region))
    country = by_iso(part) if len(part) == 2 else None
    country = country or by_name(part)
    if country:
        found.add(fold(country.name))
    return found


def _agree(a: str, b: str) -> bool:
    return bool(_names(a) & _names(b))


def _score(wanted: list[str], offered: list[str]) -> int | None:
    """How many parts beyond the city agree; None when the city differs or a part contradicts."""
    if not offered or offered[0] != wanted[0]:
        return None
    rest = wanted[1:]
    if not rest:
        return 0  # the user named only the city: any place of that name fits, ambiguity decides
    agreeing = [p for p in offered[1:] if any(_agree(p, r) for r in rest)]
    return len(agreeing) if len(agreeing) == len(offered) - 1 else None


def place_choice(want: str, options: Sequence[Option]) -> Option | None:
    """The suggestion that means the place `want`, or None when none does or several do."""
    wanted = parts(want)
    if not wanted:
        return None
    scored = [(s, o) for o in options if (s := _score(wanted, parts(o.label))) is not None]
    if not scored:
        return None
    best = max(s for s, _ in scored)
    top = {" ".join(parts(o.label)): o for s, o in scored if s == best}
    return next(iter(top.values())) if len(top) == 1 else None
