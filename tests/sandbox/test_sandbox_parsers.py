"""Resume parsers that overwrite what was typed (Lever's upload, Ashby's "Autofill from resume"), and
Lever's location box, which suggests on key presses and forgets unchosen text."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import attach
from tests.sandbox.harness import Sandbox, make_pdf

pytestmark = pytest.mark.integration
PARSED = ("Grace Parsed", "grace.parsed@example.org", "+1 510 555 0199", "Company: Parsed Corp", "Oakland, California")


@pytest.fixture
def parsed_resume(tmp_path: Path) -> Path:
    path = tmp_path / "Grace_Parsed_Resume.pdf"
    path.write_bytes(make_pdf(*PARSED))
    return path


def test_lever_upload_overwrites_what_was_typed_and_drops_the_chosen_location(
    sandbox: Sandbox, page: Page, email: str, parsed_resume: Path
) -> None:
    job = sandbox.job("lever", 2)
    page.goto(job["url"] + "/apply")
    page.locator('input[name="name"]').fill("Ada Example")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="org"]').fill("Example Corp")
    page.locator("#location-input").press_sequentially("Seat", delay=20)
    page.get_by_role("option", name="Seattle, Washington, United States").click()
    attach(page, page.locator(".visible-resume-upload"), parsed_resume)
    expect(page.locator(".resume-upload-success")).to_be_visible()
    expect(page.locator('input[name="name"]')).to_have_value("Grace Parsed")
    expect(page.locator('input[name="email"]')).to_have_value("grace.parsed@example.org")
    expect(page.locator('input[name="phone"]')).to_have_value("+1 510 555 0199")
    expect(page.locator('input[name="org"]')).to_have_value("Parsed Corp")
    expect(page.locator("#location-input")).to_have_value("Oakland, California")
    expect(page.locator("#selected-location")).to_have_value("")
    page.locator('[data-qa="btn-submit"]').click()
    expect(page.get_by_text("Please select a location from the dropdown.")).to_be_visible()


def test_lever_location_suggests_on_key_presses_and_clears_unchosen_text(sandbox: Sandbox, page: Page) -> None:
    job = sandbox.job("lever", 3)
    page.goto(job["url"] + "/apply")
    box = page.locator("#location-input")
    box.fill("Seattle")  # a value set without key presses asks nothing
    page.wait_for_timeout(400)
    expect(page.locator(".location-dropdown")).to_be_hidden()
    page.locator('input[name="org"]').click()
    expect(box).to_have_value("")  # unchosen text is cleared on blur
    box.press_sequentially("Seat", delay=20)
    expect(page.get_by_role("option", name="Seattle, Washington, United States")).to_be_visible()


def test_ashby_autofill_input_comes_first_and_its_parser_overwrites_filled_fields(
    sandbox: Sandbox, page: Page, email: str, parsed_resume: Path
) -> None:
    job = sandbox.job("ashby", 3)
    page.goto(job["url"] + "/application")
    page.fill("#_systemfield_name", "Ada Example")
    page.fill("#_systemfield_email", email)
    files = page.locator('input[type="file"]')
    expect(files).to_have_count(2)
    assert files.first.get_attribute("id") is None  # unlabelled, and ahead of #_systemfield_resume
    assert files.nth(1).get_attribute("id") == "_systemfield_resume"
    files.first.set_input_files(str(parsed_resume))  # what a filler does with "the first file input"
    expect(page.locator("#_systemfield_name")).to_have_value("Grace Parsed")
    expect(page.locator("#_systemfield_email")).to_have_value("grace.parsed@example.org")
    page.get_by_role("button", name="Submit Application").click()
    expect(page.locator(".ashby-application-form-failure")).to_contain_text("Missing entry for required field: Resume")
