"""Pure parts of the traps: seeded per job, the Workday tenants, My Experience checks, regions."""

import pytest

from sandbox import places
from sandbox.jobs import Catalog
from sandbox.regions import regions_of
from sandbox.sites import workday_experience as experience
from sandbox.traps import traps_for

pytestmark = pytest.mark.unit


def test_traps_are_seeded_per_job_and_leave_the_ids_alone() -> None:
    one, two = Catalog(7), Catalog(7)
    assert [j.traps for j in one.all()] == [j.traps for j in two.all()]
    assert traps_for(7, "greenhouse", 3) == traps_for(7, "greenhouse", 3) != traps_for(8, "greenhouse", 3)
    assert all(j.traps["invisible_captcha"] == "recaptcha-enterprise" for j in one.site("greenhouse"))
    assert {j.traps["visible_captcha"] for j in one.site("lever")} == {"after_submit"}


def test_workday_tenants_differ_in_ids_and_steps() -> None:
    jobs = Catalog(7).site("workday")
    by_tenant = {j.org: (j.traps["workday_ids"], j.traps["self_identify"]) for j in jobs}
    assert sorted(by_tenant.values()) == [("current", False), ("current", True), ("legacy", True)]
    legacy = next(j for j in jobs if j.traps["workday_ids"] == "legacy")
    current = next(j for j in jobs if j.traps["workday_ids"] == "current")
    assert legacy.ids["first"] == "legalNameSection_firstName"
    assert current.ids["first"] == "name--legalName--firstName"
    assert {j.traps["question_pages"] for j in jobs} == {1, 2}


def test_my_experience_panels_are_checked_only_when_added() -> None:
    assert experience.errors({}) == {}
    partial = {"workExperience-1--jobTitle": "Engineer", "workExperience-1--startDate-dateSectionMonth-input": "13"}
    problems = experience.errors(partial)
    assert problems["workExperience-1--companyName"].startswith("The field Company is required")
    assert problems["workExperience-1--startDate"] == "Enter a valid date."
    assert experience.errors({"education-2--schoolName": "Unseen Valley College", "education-2--degree": "PhD"}) == {
        "education-2--degree": "The value entered for Degree is not valid."
    }
    assert experience.belongs("webAddress-3--url") and not experience.belongs("website")


def test_any_reasonable_school_and_regions_that_follow_the_country() -> None:
    assert places.school_ok("Unseen Valley College") and not places.school_ok("42")
    assert places.cities("Tromsø") == ["Tromsø"] and places.cities("seattle")[0].startswith("Seattle, Washington")
    assert places.place_ok("Saint-Étienne, France") and not places.place_ok("ada@example.org")
    assert places.schools("Unseen Valley College") == ["Unseen Valley College"]
    assert "Ontario" in regions_of("Canada") and "California" not in regions_of("Canada")
    assert regions_of("Iceland") == ()
