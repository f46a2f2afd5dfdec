"""The decider on records read from real ATS captures, without a browser."""

from __future__ import annotations

import pytest

from forms.decide import decide
from forms.records import FieldRecord, Resolution
from tests.forms.support import capture, profile

pytestmark = pytest.mark.unit


def by_selector(plan: list[tuple[FieldRecord, Resolution]]) -> dict[str, tuple[FieldRecord, Resolution]]:
    """Each question under its id and under its name (radio groups are known by their name)."""
    found: dict[str, tuple[FieldRecord, Resolution]] = {}
    for r, res in plan:
        for handle in (r.name, r.id, r.selector):
            if handle:
                found.setdefault(handle, (r, res))
    return found


def test_greenhouse_standard_fields_and_screening_answers() -> None:
    records, platform = capture("greenhouse_sonatus")
    plan = by_selector(decide(records, profile(), platform))
    values = {k: res.value for k, (_, res) in plan.items() if res.resolved}
    assert values["first_name"] == "Maren" and values["last_name"] == "Okafor-Lindqvist"
    assert values["email"] == "maren.ol@example.org"
    assert values["phone"] == "415 555 0134"  # the country picker beside it takes the +1
    assert values["country"] == "United States"
    assert values["resume"] == "Maren_Resume.pdf"
    assert values["question_11493141007"] == "https://www.linkedin.com/in/maren-ol-example"
    assert plan["question_11493144007"][1].value == "Yes"  # authorised to work in the US for <company>
    assert plan["question_11493144007"][1].provenance == "answer_bank"
    assert plan["question_11493145007"][1].value == "No"  # sponsorship, reworded
    for eeo in ("4011014007", "4011015007", "4011016007", "4011017007", "4011018007", "4011019007"):
        assert plan[eeo][1].value == "decline" and plan[eeo][1].provenance == "default"


def test_greenhouse_custom_questions_stay_unresolved() -> None:
    records, platform = capture("greenhouse_sonatus")
    plan = by_selector(decide(records, profile(), platform))
    for custom in ("question_11493142007", "question_11493143007", "question_11493146007", "preferred_name"):
        assert not plan[custom][1].resolved, custom
        assert plan[custom][1].reason
    # The required-input helpers of the comboboxes are no questions.
    assert all(r.id or r.name for r, _ in decide(records, profile(), platform))


def test_teamtailor_cookie_banner_and_trap_are_not_questions() -> None:
    records, platform = capture("teamtailor_harper")
    asked = {r.id for r, _ in decide(records, profile(), platform)}
    noise = {r.id: r.noise for r in records if r.noise}
    assert noise["strictly_necessary"] == "cookie_banner" and noise["analytics"] == "cookie_banner"
    assert "full_email" not in asked and noise["full_email"] == "honeypot"
    assert {"candidate_first_name", "candidate_email", "candidate_resume_remote_url"} <= asked


def test_teamtailor_no_guess_on_free_text_or_foreign_options() -> None:
    records, platform = capture("teamtailor_harper")
    plan = by_selector(decide(records, profile(), platform))
    for custom in ("candidate_answers_attributes_4_text", "candidate_answers_attributes_5_text"):
        assert not plan[custom][1].resolved
    # "No" to sponsorship must not become "I have the right to work in the UK without sponsorship".
    visa = next(res for r, res in plan.values() if "visa requirements" in r.label)
    assert not visa.resolved
    consent = plan["candidate_consent_given"][1]
    assert not consent.resolved  # a privacy consent is the user's to give


def test_breezy_honeypot_eeo_declines_and_consent_by_preference() -> None:
    records, platform = capture("breezyhr_demo")
    assert {r.id: r.noise for r in records}["hp_7f2b"] == "honeypot"
    plan = by_selector(decide(records, profile(), platform))
    assert plan["cName"][1].value == "Maren Okafor-Lindqvist"
    assert plan["gender"][1].value == "I don't wish to answer"
    assert plan["race_ethnicity"][1].provenance == "default"
    assert "NOT TO SELF-IDENTIFY" in str(plan["eeoc.veteran_status"][1].value)
    assert not plan["gdprAgreement"][1].resolved
    agreed = by_selector(decide(records, profile("preferences:\n  privacy_consent: true\n"), platform))
    assert agreed["gdprAgreement"][1].value == "Yes"


def test_breezy_user_eeo_answer_is_taken() -> None:
    records, platform = capture("breezyhr_demo")
    plan = by_selector(
        decide(records, profile("eeo:\n  gender: Female\n  veteran: I am not a protected veteran\n"), platform)
    )
    assert plan["gender"][1].value == "Female" and plan["gender"][1].provenance == "profile"
    assert plan["eeoc.veteran_status"][1].value == "I AM NOT A PROTECTED VETERAN"


def test_linkedin_phone_national_and_no_foreign_email() -> None:
    records, platform = capture("linkedin_easy_apply_step1")
    plan = decide(records, profile(), platform)
    phone = next(res for r, res in plan if "nationalNumber" in (r.id or ""))
    assert phone.value == "415 555 0134"
    email = next(res for r, res in plan if r.label == "Email address")
    assert not email.resolved  # the member's listed addresses are not the profile's: none is picked
