"""Deciding: a field record and the profile in, a value with its provenance (or a reason) out. Pure.

A value comes only from the profile, the user's answer bank, an operator's answer (saved to the bank),
or a default the user's preferences name (declining EEO questions). The `llm` provenance is a seam for
a later issue: nothing here drafts text. Whatever none of these answers stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.profile import DECLINE as USER_DECLINES
from contracts.profile import Profile
from forms.bank import lookup
from forms.choose import choose, choose_many, decline_option, real_options
from forms.datefit import dated, is_date_key
from forms.keys import classify
from forms.money import amount, currency, is_currency_list, is_period_list, option_currency, option_period, period
from forms.records import CHOICE_WIDGETS, FieldRecord, Option, Provenance, Resolution
from forms.text import digits_only, fold, yes_no
from forms.values import PROFILE_VALUES

EEO_KEYS = {
    "eeo_gender": "gender",
    "eeo_race": "race",
    "eeo_hispanic": "hispanic_latino",
    "eeo_veteran": "veteran",
    "eeo_disability": "disability",
    "eeo_sexual_orientation": "sexual_orientation",
    "eeo_transgender": "transgender",
}
# Years of experience "with Python" or "in a similar role" are not the profile's total years.
SPECIFIC_YEARS = re.compile(
    r"experience\b.{0,30}\b(with|in|using|on|as|building|developing|leading|managing|of)\s+"
    r"(?!total\b|all\b|your career\b|the industry\b|industry\b|general\b)\w"
    r"|years (of )?(?!professional|work|working|total|industry|overall|of\b)[a-z+#]+ experience|relevant",
    re.I,
)
NO_ANSWER = "no answer in the profile or the answer bank"
ONE_KIND_OF_YEARS = "years of experience of one kind: the profile holds only total years"


@dataclass(frozen=True)
class Context:
    """What the decider knows beyond the field: the platform's selector map, the page's phone picker."""

    hints: Mapping[str, str] = field(default_factory=dict)  # data-automation-id / id / name -> key
    phone_picker: bool = False  # a country picker sits beside the phone number: type the national part
    today: date = field(default_factory=date.today)  # the date a self-identification form is signed on

    def hint_for(self, record: FieldRecord) -> str:
        for handle in (record.hint, record.id or "", record.name or ""):
            if handle and handle in self.hints:
                return self.hints[handle]
        return ""


# A list of periods is the salary's only where the field says so: "Per", or pay in its label.
PAY = re.compile(r"salary|pay\b|compensation|wage|remuneration|rate\b|\bctc\b", re.I)
PERIOD_LABELS = {"", "per", "period", "pay period", "frequency", "pay frequency", "interval", "basis", "unit"}


def _listed(record: FieldRecord) -> list[Option]:
    """The real options of a list, without its blank first choice ("Please choose", value "")."""
    return [o for o in real_options(record.options) if o.value or option_currency(o) or option_period(o)]


def _money_key(record: FieldRecord, key: str) -> str:
    """A currency list, or a salary's period list, known by its options (labels say little: "Per")."""
    if record.widget not in CHOICE_WIDGETS or key not in ("", "salary"):
        return key
    options = _listed(record)
    if is_currency_list(options):
        return "salary_currency"
    said = fold(record.label).rstrip(" *:")
    if is_period_list(options) and (said in PERIOD_LABELS or PAY.search(f"{record.label} {record.group_label}")):
        return "salary_period"
    return key


def key_of(record: FieldRecord, ctx: Context) -> str:
    key = _money_key(record, classify(record, ctx.hint_for(record)))
    phoneish = re.search(r"phone|mobile|tel", fold(f"{record.group_label} {record.hint} {record.id or ''}"))
    if key == "country" and phoneish:
        return "phone_country"
    return key


def resolve(record: FieldRecord, profile: Profile, ctx: Context | None = None) -> Resolution:
    ctx = ctx or Context()
    key = key_of(record, ctx)
    if key in EEO_KEYS:
        return _eeo(record, profile, key)
    if key in TOPICS or key == "":
        return _question(record, profile, key)
    return _profile(record, profile, key, ctx)


# A signature's date is the day it is signed: no answer of the user's is needed (provenance default).
TODAY: dict[str, Callable[[date], str]] = {
    "today": lambda d: d.isoformat(),
    "today_month": lambda d: f"{d.month:02d}",
    "today_day": lambda d: f"{d.day:02d}",
    "today_year": lambda d: str(d.year),
}


def _profile(record: FieldRecord, profile: Profile, key: str, ctx: Context) -> Resolution:
    if key in TODAY:
        return fit(record, TODAY[key](ctx.today), "default", key)
    source = "phone_national" if key == "phone" and ctx.phone_picker else key
    getter = PROFILE_VALUES.get(source)
    value = getter(profile) if getter else None
    if value is None and key.startswith("work_end") and profile.work_history and profile.work_history[0].current:
        return Resolution(None, key=key, reason="the job is current: it has no end")
    if value is not None and is_date_key(key):
        return dated(record, value, "profile", key)
    if value is None:
        hit = lookup(profile.answers, record.label)
        if hit is not None:
            return fit(record, hit.answer.answer, _bank_provenance(hit.answer.provenance), key)
        return Resolution(None, key=key, reason=f"the profile has no {key.replace('_', ' ')}")
    return fit(record, value, "profile", key)


def _question(record: FieldRecord, profile: Profile, key: str) -> Resolution:
    hit = lookup(profile.answers, record.label, key)
    if hit is not None:
        return fit(record, hit.answer.answer, _bank_provenance(hit.answer.provenance), key)
    handler = TOPICS.get(key)
    preferred = handler(record, profile) if handler else None
    if preferred is not None:
        return fit(record, preferred, "profile", key)
    return Resolution(None, key=key, reason=ONE_KIND_OF_YEARS if key == "years_of_experience" else NO_ANSWER)


def _bank_provenance(source: str) -> Provenance:
    return {"operator": "operator", "llm": "llm"}.get(source, "answer_bank")  # type: ignore[return-value]


def _yes(flag: bool | None) -> str | None:
    return None if flag is None else ("Yes" if flag else "No")


def _total_years(record: FieldRecord, profile: Profile) -> str | None:
    if SPECIFIC_YEARS.search(fold(record.label)):
        return None
    return PROFILE_VALUES["years_of_experience"](profile)


def _salary(record: FieldRecord, profile: Profile) -> str | None:
    return profile.preferences.salary


def _salary_currency(record: FieldRecord, profile: Profile) -> str | None:
    salary = profile.preferences.salary
    options = _listed(record)
    code = currency(salary, [c for c in map(option_currency, options) if c]) if salary else None
    picked = [o.label for o in options if code and option_currency(o) == code]
    return picked[0] if len(set(picked)) == 1 else None


def _salary_period(record: FieldRecord, profile: Profile) -> str | None:
    salary = profile.preferences.salary
    want = period(salary) if salary else None
    picked = [o.label for o in _listed(record) if want and option_period(o) == want]
    return picked[0] if len(picked) == 1 else None


def _without_sponsorship(record: FieldRecord, profile: Profile) -> str | None:
    prefs = profile.preferences
    if prefs.work_authorization is None or prefs.sponsorship is None:
        return None
    return _yes(prefs.work_authorization and not prefs.sponsorship)


Topic = Callable[[FieldRecord, Profile], str | None]
TOPICS: dict[str, Topic] = {
    "sponsorship": lambda r, p: _yes(p.preferences.sponsorship),
    "work_authorization": lambda r, p: _yes(p.preferences.work_authorization),
    "authorized_without_sponsorship": _without_sponsorship,
    "relocation": lambda r, p: _yes(p.preferences.relocation),
    "salary": _salary,
    "salary_currency": _salary_currency,
    "salary_period": _salary_period,
    "notice_period": lambda r, p: p.preferences.notice_period,
    "earliest_start": lambda r, p: p.preferences.earliest_start,
    "privacy_consent": lambda r, p: _yes(p.preferences.privacy_consent),
    "years_of_experience": _total_years,
    "age_18": lambda r, p: None,
    "how_heard": lambda r, p: None,
    "referral": lambda r, p: None,
    "previous_worker": lambda r, p: None,
}


def _eeo(record: FieldRecord, profile: Profile, key: str) -> Resolution:
    attr = EEO_KEYS[key]
    said = attr in profile.eeo.model_fields_set
    answer = str(getattr(profile.eeo, attr))
    if fold(answer) != USER_DECLINES:
        return fit(record, answer, "profile", key)
    if not said and not profile.preferences.decline_eeo:
        return Resolution(None, key=key, reason="the profile does not answer this EEO question")
    provenance: Provenance = "profile" if said else "default"
    if record.widget in CHOICE_WIDGETS and real_options(record.options):
        option = decline_option(record.options)
        if option is None:
            return Resolution(None, key=key, reason="the user declines, and no option declines")
        return Resolution(option.label, provenance, key, choice=option.label, values=(option.label,))
    if record.widget in ("combobox", "listbox_button"):
        return Resolution("decline", provenance, key)  # the decline option is chosen once the list is open
    return Resolution(None, key=key, reason="the user declines this EEO question")


def _wants_number(record: FieldRecord, value: str, key: str) -> bool:
    """A text box that asks for a number ("$150,000" written as 150000) when the value is one."""
    return (
        record.widget == "text"
        and record.inputmode in ("numeric", "decimal")
        and _number(value, "profile", key).resolved
    )


def fit(record: FieldRecord, value: str, provenance: Provenance, key: str) -> Resolution:
    """Shape a value to the widget: the option that means it, a number, a tick."""
    widget = record.widget
    if widget == "number" or _wants_number(record, value, key):
        return _number(value, provenance, key)
    if ISO_DATE.fullmatch(value.strip()) or widget == "date":
        return _date(record, value.strip(), provenance, key)
    if widget == "checkbox":
        tick = yes_no(value)
        if tick is None:
            return Resolution(None, key=key, reason="the answer is not yes or no")
        return Resolution("Yes" if tick else "No", provenance, key)
    if widget in ("checkboxes", "multiselect"):
        picked = choose_many([v.strip() for v in re.split(r";|\n", value) if v.strip()], record.options)
        if not picked:
            return Resolution(None, key=key, reason=f"no option means {value!r}")
        labels = tuple(o.label for o in picked)
        return Resolution("; ".join(labels), provenance, key, choice=labels[0], values=labels)
    if widget in CHOICE_WIDGETS and real_options(record.options):
        option = choose(value, record.options, record.label)
        if option is None:
            return Resolution(None, key=key, reason=f"no option means {value!r}")
        return Resolution(option.label, provenance, key, choice=option.label, values=(option.label,))
    if widget in ("radio", "buttons", "select", "listbox"):
        return Resolution(None, key=key, reason="the question has no options to choose from")
    return Resolution(value, provenance, key)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A text field that says how it wants a date: the profile's YYYY-MM-DD written that way.
DATE_FORMATS = (
    ("mm/dd/yyyy", "{m}/{d}/{y}"),
    ("dd/mm/yyyy", "{d}/{m}/{y}"),
    ("mm-dd-yyyy", "{m}-{d}-{y}"),
    ("dd.mm.yyyy", "{d}.{m}.{y}"),
    ("yyyy-mm-dd", "{y}-{m}-{d}"),
)


def _date(record: FieldRecord, value: str, provenance: Provenance, key: str) -> Resolution:
    if not ISO_DATE.fullmatch(value):
        return Resolution(None, key=key, reason="the answer is not a date (YYYY-MM-DD)")
    if record.widget == "date":
        return Resolution(value[:7] if record.type == "month" else value, provenance, key)
    return Resolution(_as_shown(value, f"{record.label} {record.placeholder}"), provenance, key)


def _as_shown(iso: str, says: str) -> str:
    y, m, d = iso.split("-")
    folded = says.casefold().replace(" ", "")
    return next((f.format(y=y, m=m, d=d) for pattern, f in DATE_FORMATS if pattern in folded), iso)


def _number(value: str, provenance: Provenance, key: str) -> Resolution:
    if key == "salary":
        whole = amount(value)
        if whole is not None:
            return Resolution(str(whole), provenance, key)
    cleaned = value.replace(",", "").strip()
    match = re.fullmatch(r"[$€£]?\s*(\d+(\.\d+)?)\s*(k|K)?\s*([A-Za-z]{3})?( a year| per year| annually)?", cleaned)
    if not match:
        digits = digits_only(value)
        if not digits or len(digits) != len(re.sub(r"[\s$€£,.]", "", value)):
            return Resolution(None, key=key, reason="the answer is not a number")
        return Resolution(digits, provenance, key)
    number = float(match.group(1)) * (1000 if match.group(3) else 1)
    return Resolution(str(int(number)) if number.is_integer() else str(number), provenance, key)
