"""A salary asked for in parts: the amount as a number, the currency and the period chosen from what
the user's answer says; what it does not say is left to a person, never guessed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contracts.profile import Profile
from forms import money
from forms.correct import rewrite
from forms.records import FieldRecord, Option
from forms.resolve import resolve
from tests.forms.support import capture, profile, record

pytestmark = pytest.mark.unit

CODES = ("Please choose", "EUR", "GBP", "USD", "CHF", "SEK", "PLN")
PERIODS = ("Please choose", "per year", "per month", "per hour")


def salaried(salary: str) -> Profile:
    return profile(f'preferences:\n  salary: "{salary}"\n')


def listed(label: str, labels: tuple[str, ...]) -> FieldRecord:
    """A native select whose first choice is a blank "Please choose" (value "")."""
    options = tuple(Option(label=x, value="" if x == "Please choose" else x) for x in labels)
    return replace(record(label, "select"), options=options)


@pytest.mark.parametrize(
    ("said", "whole"),
    [("$150,000", 150000), ("150000", 150000), ("€4.500 a month", 4500), ("60k GBP", 60000), ("£42.50/hr", None)],
)
def test_the_amount_is_the_whole_number_the_answer_says(said: str, whole: int | None) -> None:
    assert money.amount(said) == whole


def test_a_numeric_text_box_gets_the_number_and_a_plain_one_the_users_words() -> None:
    person = salaried("$150,000")
    numeric = resolve(record("Expected salary", "text", inputmode="numeric"), person)
    assert (numeric.value, numeric.key, numeric.provenance) == ("150000", "salary", "profile")
    assert resolve(record("Expected salary", "text"), person).value == "$150,000"
    # A phone in a numeric box stays as the user wrote it: it is not a number to reshape.
    phone = resolve(record("Phone", "text", inputmode="numeric"), profile())
    assert phone.resolved and phone.value == profile().phone


@pytest.mark.parametrize(
    ("salary", "currency", "per"),
    [
        ("$150,000", "USD", "per year"),
        ("€4.500 a month", "EUR", "per month"),
        ("60000 CHF", "CHF", "per year"),
        ("45 GBP per hour", "GBP", "per hour"),
    ],
)
def test_the_currency_and_period_lists_take_what_the_answer_says(salary: str, currency: str, per: str) -> None:
    person = salaried(salary)
    chosen = resolve(listed("Currency", CODES), person)
    assert (chosen.key, chosen.value) == ("salary_currency", currency)
    assert resolve(listed("Per", PERIODS), person).value == per


@pytest.mark.parametrize(
    "salary",
    [
        "4000",  # no currency said, and a size that could be a month or a year
        "PLN 9000",  # said currency, but a size that does not say its period
    ],
)
def test_what_the_answer_does_not_say_is_left_to_a_person(salary: str) -> None:
    period = listed("Per", PERIODS)
    assert not resolve(period, salaried(salary)).resolved
    if "PLN" not in salary:
        assert not resolve(listed("Currency", CODES), salaried(salary)).resolved
    # And no salary at all answers neither.
    assert not resolve(period, profile()).resolved


def test_a_bare_dollar_is_not_the_us_dollar_where_the_list_offers_other_dollars() -> None:
    dollars = ("US Dollar ($)", "Canadian Dollar ($)", "Euro (€)", "Argentine Peso ($)")
    field = record("Desired Salary", "select", dollars)
    assert resolve(field, salaried("$150,000")).key == "salary_currency"
    assert not resolve(field, salaried("$150,000")).resolved
    assert resolve(field, salaried("CA$150,000")).value == "Canadian Dollar ($)"
    assert resolve(field, salaried("150000 USD")).value == "US Dollar ($)"


def test_a_list_of_periods_is_the_salarys_only_where_the_field_says_so() -> None:
    often = ("Daily", "Weekly", "Monthly", "Yearly")
    assert resolve(record("How often are you willing to travel?", "select", often), salaried("$150,000")).key != (
        "salary_period"
    )
    assert resolve(record("Desired Salary", "select", often), salaried("$150,000")).value == "Yearly"


def test_a_real_capture_s_salary_in_three_parts() -> None:
    # BreezyHR asks for a desired salary as a currency list, an amount and a period list.
    records, _ = capture("breezyhr_demo")
    person = salaried("150000 USD a year")
    parts = {r.name or r.widget: resolve(r, person) for r in records if "salary" in (r.group_label + r.label).lower()}
    values = {res.key: res.value for res in parts.values()}
    assert values.get("salary_currency") == "US Dollar ($)"
    assert values.get("salary_period") == "Yearly"


def test_a_salary_the_page_refused_is_written_again_as_a_whole_number() -> None:
    field = record("Expected salary", "text")
    assert rewrite(field, "salary", "$150,000", "Enter the salary as a whole number, like 65000") == "150000"
    assert rewrite(field, "salary", "$150,000", "Tell us more about your expectations") is None
