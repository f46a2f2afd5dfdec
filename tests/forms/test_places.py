"""A location typeahead's suggestion is chosen only when it means the user's place."""

from __future__ import annotations

import pytest

from forms.places import place_choice
from forms.records import Option

pytestmark = pytest.mark.unit


def offered(*labels: str) -> list[Option]:
    return [Option(label=label, value=label) for label in labels]


def chosen(want: str, options: list[Option]) -> str | None:
    option = place_choice(want, options)
    return option.label if option else None


def test_the_place_in_the_users_region_is_chosen_not_the_first_of_that_name() -> None:
    options = offered("Portland, Maine, United States", "Portland, Oregon, United States", "Portland")
    assert chosen("Portland, Oregon, United States", options) == "Portland, Oregon, United States"


def test_abbreviated_regions_and_countries_mean_the_same_place() -> None:
    options = offered("Oakland, ME, USA", "Oakland, CA, USA", "Oakland Park, FL, USA")
    assert chosen("Oakland, California, United States", options) == "Oakland, CA, USA"
    assert chosen("London, United Kingdom", offered("London, ON, Canada", "London, UK")) == "London, UK"


def test_a_suggestion_naming_less_than_the_user_is_taken_when_it_is_the_only_one() -> None:
    assert chosen("Oakland, California, United States", offered("Oakland")) == "Oakland"


def test_another_region_or_another_city_is_never_chosen() -> None:
    assert place_choice("Portland, Oregon, United States", offered("Portland, Maine, United States")) is None
    assert place_choice("Oakland, California", offered("Oakland Park, Florida", "San Francisco, California")) is None


def test_a_city_alone_among_several_of_that_name_is_ambiguous() -> None:
    options = offered("Springfield, Massachusetts, United States", "Springfield, Illinois, United States")
    assert place_choice("Springfield", options) is None
    assert place_choice("Springfield", offered("Springfield, Illinois, United States")) is not None
