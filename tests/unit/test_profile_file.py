"""The PROFILE file: the shipped example loads; a mistake names its key and line, never its value."""

from pathlib import Path

import pytest

from autoapply.profile_file import ProfileError, load, parse
from contracts.profile import DECLINE

pytestmark = pytest.mark.unit
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile.yaml"


def test_the_shipped_example_loads() -> None:
    profile = load(EXAMPLE)
    assert profile.full_name == "Maren Okafor"
    assert profile.answers["Are you at least 18 years of age?"].answer == "Yes"
    assert profile.answers["Are you at least 18 years of age?"].provenance == "user"
    assert profile.eeo.gender == DECLINE and profile.eeo.veteran.startswith("I am not")
    assert profile.preferences.sponsorship is False and profile.preferences.allow_llm is False


def test_a_bad_value_names_its_key_and_line_but_not_the_value() -> None:
    text = "first_name: Maren\nlast_name: Okafor\nemail: not-an-address\n"
    with pytest.raises(ProfileError) as caught:
        parse(text, "p.yaml")
    message = str(caught.value)
    assert "p.yaml line 3: email:" in message
    assert "not-an-address" not in message


def test_an_unknown_key_and_a_missing_one_are_both_reported() -> None:
    text = "first_name: Maren\nemial: maren@example.org\n"
    with pytest.raises(ProfileError) as caught:
        parse(text, "p.yaml")
    message = str(caught.value)
    assert "line 2: emial: Extra inputs are not permitted" in message
    assert "last_name: Field required" in message and "email: Field required" in message


def test_a_nested_mistake_points_at_its_own_line() -> None:
    text = "first_name: M\nlast_name: O\nemail: m@example.org\npreferences:\n  relocation: maybe\n"
    with pytest.raises(ProfileError, match=r"line 5: preferences\.relocation:"):
        parse(text)


def test_yaml_that_does_not_parse_says_where() -> None:
    with pytest.raises(ProfileError, match=r"line 2"):
        parse("first_name: M\n  bad: [\n")


def test_unquoted_yes_in_the_answer_bank_is_the_word_yes() -> None:
    profile = parse("first_name: M\nlast_name: O\nemail: m@example.org\nanswers:\n  Over 18?: yes\n")
    assert profile.answers["Over 18?"].answer == "Yes"
