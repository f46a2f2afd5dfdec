"""What the model may answer and what it is shown, without a page or a model."""

from __future__ import annotations

import pytest

from contracts.profile import BankAnswer, Preferences, Profile
from forms.records import FieldRecord, Option, Resolution
from services.executor import drafts

pytestmark = pytest.mark.unit

PERSON = Profile(
    first_name="Ada",
    last_name="Example",
    email="ada@example.org",
    phone="+1 206 555 0100",
    current_title="Technical Writer",
    answers={"Your level of English": BankAnswer(answer="Fluent")},
    preferences=Preferences(remote=True, salary="$120,000"),
)


def field(label: str, widget: str = "text", options: tuple[str, ...] = (), handle: str = "") -> FieldRecord:
    opts = tuple(Option(label=o, value=o) for o in options)
    return FieldRecord(handle=handle or label[:10], selector="#q", widget=widget, label=label, options=opts)  # type: ignore[arg-type]


def open_(record: FieldRecord, key: str = "") -> tuple[FieldRecord, Resolution]:
    return record, Resolution(None, key=key, reason="no answer")


@pytest.mark.parametrize(
    ("label", "widget", "key", "options"),
    [
        ("How many years of experience do you have with Python?", "text", "years_of_experience", ()),
        ("How many years of experience do you have with Python?", "number", "", ()),
        ("Will you now or in the future require visa sponsorship?", "radio", "sponsorship", ("Yes", "No")),
        ("Are you legally authorised to work in the UK?", "select", "", ("Yes", "No")),
        ("What are your salary expectations for this role?", "text", "salary", ()),
        ("Gender", "select", "eeo_gender", ("Male", "Female", "Decline")),
        ("Do you hold a security clearance?", "radio", "", ("Yes", "No")),
        ("Describe the years you spent at your last company", "textarea", "", ()),
        ("Phone number", "tel", "phone", ()),
    ],
)
def test_a_fact_is_never_asked_of_the_model(label: str, widget: str, key: str, options: tuple[str, ...]) -> None:
    assert drafts.kind_of(field(label, widget, options), key) == ""


def test_free_text_and_supported_choices_are_asked() -> None:
    why = field("Why do you want to work at Amberfield Foods?", "textarea")
    way = field("Preferred way of working", "radio", ("Remote", "Hybrid", "On-site"))
    nick = field("Nickname of your first pet", "text")
    asks = drafts.askable([open_(why), open_(way), open_(nick)])
    assert [(a.ref, a.kind) for a in asks] == [("f1", "write"), ("f2", "choose")]


def test_the_model_sees_only_what_the_fields_need() -> None:
    way = field("Preferred way of working", "radio", ("Remote", "Hybrid", "On-site"))
    choose_only = drafts.askable([open_(way)])
    context = drafts.context_for(PERSON, choose_only, {"page_title": "Writer"})
    text = drafts.prompt(choose_only, context)
    assert "wants_remote_work" in text and "applicant" not in context
    for private in ("ada@example.org", "206 555", "120,000", "Example", "Technical Writer"):
        assert private not in text
    why = drafts.askable([open_(field("Why this role?", "textarea"))])
    writing = drafts.prompt(why, drafts.context_for(PERSON, why, {}))
    assert "Technical Writer" in writing and "Ada" in writing
    assert "ada@example.org" not in writing and "206 555" not in writing and "Fluent" not in writing


def test_a_choice_needs_data_of_the_users_and_an_unknown_field_is_refused() -> None:
    way = field("Preferred way of working", "radio", ("Remote", "Hybrid", "On-site"), handle="way")
    asks = drafts.askable([open_(way)])
    context = drafts.context_for(PERSON, asks, {})
    guessed = {"answers": [{"field": "f1", "value": "Hybrid"}, {"field": "f7", "value": "10 years"}]}
    assert drafts.accept(asks, guessed, context) == {}
    invented = {"answers": [{"field": "f1", "value": "Hybrid", "based_on": ["years_of_python"]}]}
    assert drafts.accept(asks, invented, context) == {}
    supported = {"answers": [{"field": "f1", "value": "Remote", "based_on": ["wants_remote_work"]}]}
    taken = drafts.accept(asks, supported, context)
    assert taken["way"].value == "Remote" and taken["way"].provenance == "llm"


def test_a_draft_is_cut_to_the_fields_limit() -> None:
    asks = drafts.askable([open_(field("Cover note", "textarea", handle="note"))])
    taken = drafts.accept(asks, {"answers": [{"field": "f1", "value": "x" * 5000}]}, {})
    assert len(taken["note"].value or "") == drafts.TEXT_LIMIT["textarea"]
