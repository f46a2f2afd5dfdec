"""Countries the matcher knows by name, ISO code and calling code (data, not a full gazetteer).

Used to find a phone number's country, to fill country pickers, and to keep a question about one
country from matching an answer about another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forms.text import fold


@dataclass(frozen=True)
class Country:
    name: str
    iso2: str
    dial: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


COUNTRIES = (
    Country("United States", "US", "1", ("United States of America", "USA", "US", "U.S.", "America")),
    Country("Canada", "CA", "1"),
    Country("United Kingdom", "GB", "44", ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales")),
    Country("Ireland", "IE", "353"),
    Country("Germany", "DE", "49", ("Deutschland",)),
    Country("France", "FR", "33"),
    Country("Spain", "ES", "34"),
    Country("Portugal", "PT", "351"),
    Country("Italy", "IT", "39"),
    Country("Netherlands", "NL", "31", ("The Netherlands", "Holland")),
    Country("Belgium", "BE", "32"),
    Country("Switzerland", "CH", "41"),
    Country("Austria", "AT", "43"),
    Country("Sweden", "SE", "46"),
    Country("Norway", "NO", "47"),
    Country("Denmark", "DK", "45"),
    Country("Finland", "FI", "358"),
    Country("Poland", "PL", "48"),
    Country("Czech Republic", "CZ", "420", ("Czechia",)),
    Country("Romania", "RO", "40"),
    Country("Greece", "GR", "30"),
    Country("Turkey", "TR", "90", ("Türkiye",)),
    Country("Israel", "IL", "972"),
    Country("United Arab Emirates", "AE", "971", ("UAE",)),
    Country("Saudi Arabia", "SA", "966"),
    Country("India", "IN", "91"),
    Country("Pakistan", "PK", "92"),
    Country("China", "CN", "86"),
    Country("Japan", "JP", "81"),
    Country("South Korea", "KR", "82", ("Korea",)),
    Country("Singapore", "SG", "65"),
    Country("Australia", "AU", "61"),
    Country("New Zealand", "NZ", "64"),
    Country("Brazil", "BR", "55"),
    Country("Mexico", "MX", "52"),
    Country("Argentina", "AR", "54"),
    Country("Colombia", "CO", "57"),
    Country("Chile", "CL", "56"),
    Country("South Africa", "ZA", "27"),
    Country("Nigeria", "NG", "234"),
    Country("Kenya", "KE", "254"),
    Country("Egypt", "EG", "20"),
    Country("Philippines", "PH", "63"),
    Country("Indonesia", "ID", "62"),
    Country("Vietnam", "VN", "84"),
    Country("Ukraine", "UA", "380"),
)
_BY_ISO = {c.iso2: c for c in COUNTRIES}


def by_iso(code: str) -> Country | None:
    return _BY_ISO.get(code.strip().upper())


def by_name(text: str) -> Country | None:
    folded = fold(text)
    for country in COUNTRIES:
        if any(fold(n) == folded for n in country.names):
            return country
    return None


def mentioned(text: str) -> set[str]:
    """ISO codes of the countries a text names (whole words only)."""
    folded = f" {fold(text)} "
    found = set()
    for country in COUNTRIES:
        for name in country.names:
            n = fold(name)
            # "us" is also a pronoun: only longer names, and UK, count as naming a country.
            if (len(n) > 3 or n == "uk") and f" {n} " in folded:
                found.add(country.iso2)
    return found


def split_phone(phone: str, iso: str | None) -> tuple[Country | None, str]:
    """(country, national number) of a phone written with its +code; the national part as written."""
    text = phone.strip()
    if not text.startswith("+"):
        return (by_iso(iso) if iso else None), text
    digits = re.sub(r"\D", "", text)
    preferred = by_iso(iso) if iso else None
    if preferred and digits.startswith(preferred.dial):
        return preferred, _drop_code(text, preferred.dial)
    for length in (1, 2, 3):
        match = next((c for c in COUNTRIES if c.dial == digits[:length]), None)
        if match:
            return match, _drop_code(text, match.dial)
    return None, text


def _drop_code(text: str, dial: str) -> str:
    rest = text.lstrip("+ ")
    rest = rest[len(dial) :] if rest.startswith(dial) else rest
    return rest.strip(" -.()")
