"""The user's expected salary split the way forms ask for it: an amount, a currency, a period. Pure.

Forms often ask for a salary in three fields: a number ("whole number, like 65000"), a currency
list and a "per year / month / hour" list. The user wrote one answer ("$150,000", "€4.500 a month",
"60k GBP"); each part comes from what it says. A part it does not say is left to a person, with
two exceptions a person would not think to ask about: a bare "$" is the US dollar when the list
offers no other dollar, and an amount of at least 20,000 in a currency of the high-wage economies,
said with no period, is a year's salary (no one means 20,000 dollars, euros or pounds an hour or a
month).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from forms.records import Option
from forms.text import fold

# ISO 4217 codes forms list, and the names they list them by.
NAMES = {
    "USD": ("us dollar", "united states dollar", "american dollar"),
    "EUR": ("euro",),
    "GBP": ("british pound", "pound sterling", "sterling", "uk pound"),
    "CHF": ("swiss franc",),
    "CAD": ("canadian dollar",),
    "AUD": ("australian dollar",),
    "NZD": ("new zealand dollar",),
    "SGD": ("singapore dollar",),
    "HKD": ("hong kong dollar",),
    "SEK": ("swedish krona", "swedish kronor"),
    "NOK": ("norwegian krone",),
    "DKK": ("danish krone",),
    "PLN": ("polish zloty", "zloty"),
    "CZK": ("czech koruna",),
    "HUF": ("hungarian forint",),
    "RON": ("romanian leu",),
    "INR": ("indian rupee",),
    "JPY": ("japanese yen", "yen"),
    "CNY": ("chinese yuan", "renminbi"),
    "BRL": ("brazilian real",),
    "MXN": ("mexican peso",),
    "ZAR": ("south african rand", "rand"),
    "ILS": ("israeli shekel", "new israeli sheqel", "shekel"),
    "AED": ("uae dirham", "emirati dirham", "united arab emirates dirham"),
}
DOLLARS = {code for code, names in NAMES.items() if any("dollar" in n for n in names)}
# Every name in one pattern (a long list is classified on every read of a form: a country list's
# 250 options must not cost 24 searches each), the longest first so "us dollar" is not "dollar".
CODE_OF_NAME = {name: code for code, names in NAMES.items() for name in names}
NAMED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, CODE_OF_NAME), key=len, reverse=True)) + r")s?\b")
# Symbols that name one currency; "$" names several and is read apart.
SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "zł": "PLN", "₪": "ILS", "R$": "BRL"}
PREFIXED_DOLLARS = {"us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "s$": "SGD"}
HIGH_WAGE = {"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD", "DKK"}
YEARLY_AT_LEAST = 20_000
PERIODS = {
    "year": re.compile(r"\b(years?|yearly|annual(ly)?|annum|yr|p\.?\s?a\.?)\b|/\s?y(ea)?r", re.I),
    "month": re.compile(r"\b(months?|monthly|mo|pcm)\b|/\s?mo(nth)?", re.I),
    "week": re.compile(r"\b(weeks?|weekly|wk)\b|/\s?w(ee)?k", re.I),
    "day": re.compile(r"\b(days?|daily)\b|/\s?day", re.I),
    "hour": re.compile(r"\b(hours?|hourly|hr|ph)\b|/\s?h(ou)?r", re.I),
}
CODE = re.compile(r"\b([A-Z]{3})\b")
# What any currency's option looks like, named or not: its unit's word, or its symbol in brackets.
UNIT = re.compile(
    r"\b(dollar|euro|pound|peso|franc|kron[ae]|kronor|rupees?|yen|yuan|dirham|dinar|riyal|rand|real|lira|lek"
    r"|dram|manat|mark|taka|lev|ruble|rouble|shilling|zloty|forint|koruna|leu|ringgit|baht|won|dong|rupiah"
    r"|shekel|sheqel|kuna|lari|tenge|som|sol|boliviano|guarani|colon|cordoba|quetzal|lempira|balboa|afghani"
    r"|kwacha|naira|cedi|birr)s?\b|\([^()]{1,8}\)\s*$",
    re.I,
)


def amount(salary: str) -> int | None:
    """The whole number the salary says ("$150,000" -> 150000, "60k" -> 60000, "€4.500" -> 4500)."""
    text = salary.strip()
    found = re.search(r"(\d[\d,.\s]*\d|\d)\s*([kK]\b)?", text)
    if not found:
        return None
    digits = re.sub(r"\s", "", found.group(1))
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        number = float(re.sub(r"[.,]", "", digits))  # 150,000 or 150.000: thousands
    elif re.fullmatch(r"\d+([.,]\d{1,2})?", digits):
        number = float(digits.replace(",", "."))
    else:
        return None
    number *= 1000 if found.group(2) else 1
    return int(number) if number.is_integer() else None


def currency(salary: str, offered: Sequence[str] = ()) -> str | None:
    """The ISO code of the salary's currency, or None when it does not say which."""
    said = CODE.search(salary)
    if said and said.group(1) in NAMES:
        return said.group(1)
    folded = salary.casefold()
    for prefix, code in PREFIXED_DOLLARS.items():
        if prefix in folded.replace(" ", ""):
            return code
    for symbol, code in SYMBOLS.items():
        if symbol.casefold() in folded:
            return code
    if named := _named(folded):
        return named
    if "$" in salary:
        other_dollars = {c for c in offered if c in DOLLARS} - {"USD"}
        return "USD" if not other_dollars else None
    return None


def period(salary: str, offered_currency: str | None = None) -> str | None:
    """year, month, week, day or hour: what the salary says, else a year for a yearly-sized amount."""
    for name, pattern in PERIODS.items():
        if pattern.search(salary):
            return name
    size = amount(salary)
    code = offered_currency or currency(salary)
    if size is not None and size >= YEARLY_AT_LEAST and code in HIGH_WAGE:
        return "year"
    return None


def option_currency(option: Option) -> str | None:
    """The ISO code an option of a currency list stands for ("USD", "US Dollar ($)", "€ Euro")."""
    for text in (option.value, option.label):
        said = CODE.search(text or "")
        if said and said.group(1) in NAMES:
            return said.group(1)
    if named := _named(fold(option.label)):
        return named
    label = option.label.strip()
    return SYMBOLS.get(label) or ("USD" if label == "$" else None)


def _named(folded: str) -> str | None:
    found = NAMED.search(folded)
    return CODE_OF_NAME[found.group(1)] if found else None


def option_period(option: Option) -> str | None:
    hits = [name for name, pattern in PERIODS.items() if pattern.search(option.label)]
    return hits[0] if len(hits) == 1 else None


def is_currency_list(options: Sequence[Option]) -> bool:
    """A list of currencies: two or more a code names, and two thirds or more that look like one.
    Given up on as soon as a third are not (a country list is read on every pass over a form)."""
    coded, unlike = 0, 0
    for option in options:
        if option_currency(option) is not None:
            coded += 1
        elif not UNIT.search(option.label):
            unlike += 1
            if 3 * unlike > len(options):
                return False
    return coded >= 2


def is_period_list(options: Sequence[Option]) -> bool:
    named = [option_period(o) for o in options]
    return len(options) >= 2 and all(named) and len(set(named)) == len(named)
