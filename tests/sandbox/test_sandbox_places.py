"""Any reasonable city or school is accepted, as on the real sites, not only the sandbox's own lists."""

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import fill_greenhouse_questions, pick
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration


def test_typeaheads_offer_any_reasonable_place_and_school(sandbox: Sandbox) -> None:
    assert sandbox.get("/greenhouse/api/locations", q="Tromsø")["results"] == ["Tromsø"]
    assert sandbox.get("/ashby/api/locations", q="Ouagadougou")["results"] == ["Ouagadougou"]
    assert [p["name"] for p in sandbox.client.get("/lever/searchLocations", params={"text": "Ghent"}).json()] == [
        "Ghent"
    ]
    assert sandbox.get("/greenhouse/api/schools", q="Unseen Valley College")["results"] == ["Unseen Valley College"]
    assert sandbox.get("/greenhouse/api/locations", q="12345")["results"] == []


def test_greenhouse_accepts_a_city_and_school_from_no_list(sandbox: Sandbox, page: Page, email: str) -> None:
    job = next(j for j in sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:12] if "education" in j["layout"])
    page.goto(job["url"])
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Example")
    page.fill("#email", email)
    pick(page, "country", "Norway +47", typed="Norw")
    page.fill("#phone", "+47 912 34 567")
    pick(page, "candidate-location", "Tromsø", typed="Tromsø")
    pick(page, "school--0", "Unseen Valley College", typed="Unseen Valley College")
    page.get_by_test_id("resume-text").click()
    page.fill("#resume_text", "Ada Example, engineer.")
    fill_greenhouse_questions(page, [q for q in job["questions"] if q["required"]])
    if job["traps"]["gdpr"]:
        page.get_by_label("I consent to the processing of my personal data").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Thank you for applying.")).to_be_visible()
    [record] = sandbox.submissions(site="greenhouse", job=job["job_id"], email=email)
    assert record["fields"]["candidate-location"] == "Tromsø"
    assert record["fields"]["school--0"] == "Unseen Valley College"
