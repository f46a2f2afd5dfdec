"""Answer-bank matching and option choice: rewording found, opposites never crossed, nothing guessed."""

from __future__ import annotations

import pytest

from forms.bank import lookup
from forms.choose import choose
from forms.records import Option
from forms.resolve import resolve
from tests.forms.support import profile, record

pytestmark = pytest.mark.unit


def options(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(label=x, value=x) for x in labels)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Do you require visa sponsorship?", "No"),
        ("Will you need the company to sponsor a work visa now or later?", "No"),
        ("Are you authorised to work in the United States?", "Yes"),
        ("Are you legally eligible to work in the US?", "Yes"),
        ("Are you 18 years or older?", "Yes"),
    ],
)
def test_rewordings_find_the_saved_answer(question: str, answer: str) -> None:
    hit = lookup(profile().answers, question)
    assert hit is not None and hit.answer.answer == answer


@pytest.mark.parametrize(
    "question",
    [
        "Are you authorized to work in the United Kingdom?",  # another country
        "Do you have a valid driver's licence?",  # no saved answer
        "Why do you want to work here?",
    ],
)
def test_unrelated_or_other_country_questions_find_nothing(question: str) -> None:
    assert lookup(profile().answers, question) is None


def test_opposite_topics_never_cross() -> None:
    only_sponsorship = profile().answers
    bank = {q: a for q, a in only_sponsorship.items() if "sponsorship" in q}
    assert lookup(bank, "Are you legally authorized to work in the United States?") is None


def test_no_picks_the_option_that_means_no() -> None:
    opts = options("Yes, I will require sponsorship", "No, I will not require sponsorship")
    assert choose("No", opts) == opts[1]
    statements = options("I will require sponsorship", "I will not require sponsorship")
    assert choose("No", statements, "Do you need sponsorship?") == statements[1]
    assert choose("Yes", statements, "Do you need sponsorship?") == statements[0]


def test_no_option_is_guessed() -> None:
    assert choose("Company website", options("LinkedIn", "Indeed", "Referral")) is None
    assert choose("Yes", options("Option A", "Option B")) is None
    assert choose("No", options("Select...", "")) is None
    twins = options("Yes - full time", "Yes - part time", "No")
    assert choose("Yes", twins) is None  # two options start with yes: ambiguous


def test_years_of_experience_total_only_and_never_zero() -> None:
    total = resolve(record("How many years of professional experience do you have?", "number"), profile())
    assert total.value == "8" and total.provenance == "profile"
    skill = resolve(record("How many years of experience do you have with Kubernetes?", "number"), profile())
    assert not skill.resolved and "one kind" in skill.reason
    unknown = resolve(
        record("Years of experience", "number"), profile().model_copy(update={"years_of_experience": None})
    )
    assert not unknown.resolved


def test_salary_to_number_and_unanswered_topics() -> None:
    salaried = profile('preferences:\n  salary: "$150,000"\n')
    assert resolve(record("What are your salary expectations?", "number"), salaried).value == "150000"
    assert not resolve(record("What are your salary expectations?", "number"), profile()).resolved
    assert not resolve(record("How did you hear about us?", "combobox"), profile()).resolved


def test_sponsorship_preference_answers_when_the_bank_is_silent() -> None:
    p = profile("preferences:\n  sponsorship: true\n  work_authorization: true\n").model_copy(update={"answers": {}})
    yes_no = ("Yes", "No")
    assert resolve(record("Will you require visa sponsorship?", "radio", yes_no), p).value == "Yes"
    assert resolve(record("Are you authorized to work in the US?", "radio", yes_no), p).value == "Yes"
    mixed = resolve(record("Are you authorized to work in the US without sponsorship?", "radio", yes_no), p)
    assert mixed.value == "No"


def test_location_question_is_not_the_location_field() -> None:
    asked = resolve(record("Are you located in the San Francisco Bay Area?", "combobox"), profile())
    assert not asked.resolved
    field = resolve(record("Location (City)", "combobox"), profile())
    assert field.value == "Oakland, California, United States"
