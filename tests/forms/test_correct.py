"""Correcting a refused value: the same answer in the form the page's message asks for, never another answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from forms.correct import limit_of, rewrite
from forms.records import Resolution
from forms.repair import plan_repair
from forms.submit import FieldError
from tests.forms.support import profile, record

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("widget", "key", "value", "message", "after"),
    [
        ("tel", "phone", "+1 206 555 0100", "Enter a phone number, like +44 7700 900982", "+12065550100"),
        ("tel", "phone", "206 555 0100", "Please enter a valid phone number.", "2065550100"),
        (
            "text",
            "linkedin_url",
            "linkedin.com/in/ada",
            "Please enter a valid URL (https://...)",
            "https://linkedin.com/in/ada",
        ),
        (
            "url",
            "portfolio_url",
            "https://www.ada.example.org",
            "Enter the address without http://",
            "www.ada.example.org",
        ),
        ("text", "earliest_start", "2027-01-04", "Use the format DD/MM/YYYY", "04/01/2027"),
        ("text", "earliest_start", "2027-01-04", "Enter the date as MM/DD/YYYY", "01/04/2027"),
        ("text", "portfolio_url", "https://www.ada.example.org", "At most 15 characters", "ada.example.org"),
        ("tel", "phone", "+1 (206) 555-0100", "No more than 12 characters", "+12065550100"),
    ],
)
def test_the_same_value_in_the_form_asked_for(widget: str, key: str, value: str, message: str, after: str) -> None:
    assert rewrite(record("Field", widget), key, value, message) == after


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("current_title", "Senior Technical Writer and Editor", "At most 10 characters"),  # never cut the user's words
        ("first_name", "Ada", "This field is required"),
        ("linkedin_url", "https://www.linkedin.com/in/ada", "This profile could not be found"),
        ("earliest_start", "2027-01-04", "The date must be in the future"),
    ],
)
def test_no_correction_where_the_page_asks_for_something_else(key: str, value: str, message: str) -> None:
    assert rewrite(record("Field"), key, value, message) is None


def test_limits_are_read_in_their_usual_wordings() -> None:
    assert [limit_of(m) for m in ("at most 30 characters", "Maximum of 255 characters", "50 characters or fewer")] == [
        30,
        255,
        50,
    ]
    assert limit_of("Please enter a valid email") is None


def test_errors_map_to_fields_by_stamp_or_name_and_unfixable_ones_are_reported() -> None:
    phone = record("Phone", "tel", name="tel", value="+1 415 555 0134")
    mail = replace(record("Email", "email", name="mail", value="maren.ol@example.org"), handle="2")
    decided = [(phone, Resolution("+1 415 555 0134", "profile", "phone")), (mail, Resolution("x", "profile", "email"))]
    errors = [
        FieldError("Enter a phone number, like +44 7700 900982", "", "tel"),
        FieldError("marked invalid", "", "tel"),
        FieldError("This email is already registered", "2", "mail"),
        FieldError("There is a problem"),
    ]
    fix = plan_repair(errors, decided, profile())
    assert fix.overrides == {"1": "+14155550134"}
    assert [(c.label, c.after) for c in fix.corrections] == [("Phone", "+14155550134"), ("Email", ""), ("", "")]
    assert fix.corrections[1].message == "This email is already registered"
