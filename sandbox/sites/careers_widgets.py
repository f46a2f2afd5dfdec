"""What the hand-made careers page carries besides its form: an intl-tel-input phone picker, a cookie
banner over everything, a hidden honeypot, a CSRF token, a widget inside a shadow root, and the
second step's salary and knock-out question."""

import secrets
from typing import Any

from sandbox.dial_codes import ALL_COUNTRIES
from sandbox.html import esc, json_script

CSRF_FIELD = "csrf_token"
HONEYPOT = "website"  # hidden from people; a filler that fills every input gives itself away
CURRENCIES = ("EUR", "GBP", "USD", "CHF", "SEK", "PLN")
PERIODS = ("per year", "per month", "per hour")
ENGLISH = ("Basic", "Professional", "Fluent", "Native")
KNOCKOUT = "Are you at least 18 years old?"  # answering No ends the application
NOT_ELIGIBLE = (
    "Thank you for your interest. Based on your answers you do not meet the minimum requirements for this role."
)
# intl-tel-input's choice among countries that share a code
DIAL_PRIORITY = {"1": "United States", "44": "United Kingdom", "7": "Russia", "61": "Australia", "39": "Italy"}


def csrf(session: dict[str, Any]) -> str:
    token: str = session.setdefault("careers-csrf", secrets.token_urlsafe(24))
    return token


def hidden_fields(session: dict[str, Any]) -> str:
    return (
        f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(csrf(session))}">'
        f'<div class="hp-field"><label for="hp-{HONEYPOT}">Website</label>'
        f'<input id="hp-{HONEYPOT}" type="text" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>'
    )


def phone_picker(value: str, country: str, error: str) -> str:
    chosen = country or "United Kingdom"
    code = dict(ALL_COUNTRIES).get(chosen, "44")
    return (
        f'<div class="row">{error}<div class="iti iti--allow-dropdown iti--show-flags">'
        '<div class="iti__country-container"><button type="button" class="iti__selected-country" role="combobox"'
        ' aria-controls="iti-0__dropdown-content" aria-haspopup="listbox" aria-expanded="false"'
        f' aria-label="Selected country: {esc(chosen)} +{code}" title="{esc(chosen)}">'
        f'<span class="iti__selected-dial-code">+{code}</span><span class="iti__arrow"></span></button>'
        '<div id="iti-0__dropdown-content" class="iti__dropdown-content iti__hide">'
        '<input type="search" class="iti__search-input" placeholder="Search" role="combobox" aria-expanded="true"'
        ' aria-label="Search" aria-controls="iti-0__country-listbox" aria-autocomplete="list" autocomplete="off">'
        '<ul class="iti__country-list" id="iti-0__country-listbox" role="listbox" aria-label="List of countries">'
        "</ul></div></div>"
        f'<input type="tel" name="tel" placeholder="Phone number (with country code)" value="{esc(value)}"'
        ' autocomplete="tel" class="iti__tel-input"></div>'
        f'<input type="hidden" name="tel_country" value="{esc(chosen)}"></div>'
        + json_script("iti-countries", {"countries": ALL_COUNTRIES, "priority": DIAL_PRIORITY})
    )


def english_level(value: str, error: str) -> str:
    """A form-associated custom element: its radios live in a shadow root, its value reaches the form."""
    return (
        f'<div class="row"><span class="label" id="english-label">Your level of English *</span>{error}'
        f'<sbx-level name="english_level" value="{esc(value)}" options="{esc("|".join(ENGLISH))}"'
        ' aria-labelledby="english-label"></sbx-level></div>'
    )


COOKIE_BANNER = (
    '<div class="cookie-backdrop" id="cookie-consent" role="dialog" aria-modal="true" aria-labelledby="cookie-title">'
    '<div class="cookie-box"><h2 id="cookie-title">We value your privacy</h2><p>We use cookies to run this site and,'
    " with your consent, to measure how it is used.</p>"
    '<label class="cookie-option"><input type="checkbox" name="cookie_analytics" form="cookie-form"> Analytics'
    ' cookies</label><form id="cookie-form"></form><div class="cookie-actions">'
    '<button type="button" data-cookie="reject">Reject all</button>'
    '<button type="button" data-cookie="accept">Accept all</button></div></div></div>'
)


# The second step's most recent job: title, employer, and its months in a pop-up month picker, a
# text input that opens a calendar (as react-datepicker's month picker does). Typed text the picker
# cannot read (anything but MM/YYYY, M/YYYY or "March 2019") is dropped when the field is left.
MONTH_FORMAT = "MM/YYYY"


def month_picker(name: str, label: str, value: str, error: str, suffix: str) -> str:
    fid = f"{name}-{suffix}"
    return (
        f'<div class="row picker-row"><label for="{fid}">{esc(label)}</label>{error}'
        f'<input id="{fid}" name="{name}" type="text" class="month-picker" autocomplete="off"'
        f' placeholder="MM / YYYY" aria-haspopup="dialog" value="{esc(value)}">'
        f'<div class="month-popup" role="dialog" aria-label="Choose a month" hidden></div></div>'
    )
