"""Workday replica: account creation, the emailed verification link, sign-in, and the whole wizard."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import attach
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration
PASSWORD = "Sandbox!Pass1"


def auto(page: Page, automation_id: str) -> Any:
    return page.locator(f'[data-automation-id="{automation_id}"]')


def choose(page: Page, automation_id: str, option: str) -> None:
    auto(page, automation_id).click()
    page.locator(
        f'[data-automation-widget="wd-popup"] [data-automation-id="promptOption"][data-automation-label="{option}"]'
    ).click()
    expect(auto(page, automation_id)).to_have_text(option)


def next_page(page: Page) -> None:
    auto(page, "bottom-navigation-next-button").click()


def create_verify_sign_in(sandbox: Sandbox, page: Page, job: dict[str, Any], email: str) -> None:
    page.goto(job["url"])
    auto(page, "adventureButton").click()
    auto(page, "applyManually").click()
    auto(page, "email").fill(email)
    auto(page, "password").fill(PASSWORD)
    auto(page, "verifyPassword").fill(PASSWORD)
    auto(page, "createAccountCheckbox").check()
    page.get_by_role("button", name="Create Account").click()  # lands on the click_filter overlay
    expect(auto(page, "alertBanner")).to_contain_text("verification email")
    auto(page, "password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(auto(page, "errorBanner")).to_contain_text("has not been verified")

    mail = sandbox.mail(email, "verify your candidate account")
    assert mail["from"].endswith(f"<{job['org']}@myworkday.com>")
    link = re.search(r"(http://\S+/activate/\S+)", mail["text"])
    assert link
    page.goto(link.group(1))
    expect(page.get_by_role("heading", name="Account Verified")).to_be_visible()
    auto(page, "signInLink").click()
    auto(page, "email").fill(email)
    auto(page, "password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(auto(page, "pageHeader")).to_have_text("My Information")


def my_information(page: Page) -> dict[str, str]:
    expect(auto(page, "legalNameSection_firstName")).to_be_visible()
    assert page.locator("#wd-app [name]").count() == 0 and page.locator("form").count() == 0
    next_page(page)  # nothing filled yet: Workday lists what is missing
    expect(auto(page, "errorBanner")).to_contain_text("The field First Name is required and must have a value.")
    choose(page, "countryDropdown", "United States of America")
    choose(page, "sourceDropdown", "LinkedIn")
    auto(page, "candidateIsPreviousWorker").get_by_label("No").check()
    values = {
        "legalNameSection_firstName": "Ada",
        "legalNameSection_lastName": "Example",
        "addressSection_addressLine1": "1 Example Street",
        "addressSection_city": "Springfield",
        "addressSection_postalCode": "94105",
        "phone-number": "415-555-0100",
    }
    for automation_id, value in values.items():
        auto(page, automation_id).fill(value)
    choose(page, "addressSection_countryRegion", "California")
    choose(page, "phone-device-type", "Mobile")
    next_page(page)
    return values | {
        "countryDropdown": "United States of America",
        "sourceDropdown": "LinkedIn",
        "candidateIsPreviousWorker": "No",
        "addressSection_countryRegion": "California",
        "phone-device-type": "Mobile",
    }


def questions(page: Page, job: dict[str, Any]) -> dict[str, str]:
    answers = {}
    for q in job["questions"]:
        if q["kind"] in ("yesno", "select"):
            choose(page, q["id"], q["options"][0])
            answers[q["id"]] = q["options"][0]
        else:
            auto(page, q["id"]).fill("Because the work matters.")
            answers[q["id"]] = "Because the work matters."
    next_page(page)
    return answers


def test_workday_account_verification_and_wizard(sandbox: Sandbox, page: Page, email: str, resume_pdf: Path) -> None:
    job = sandbox.job("workday", 0)
    create_verify_sign_in(sandbox, page, job, email)
    app_url = page.url
    assert app_url.split("?")[0].endswith("/apply/applyManually")
    expected = my_information(page)
    expect(auto(page, "pageHeader")).to_have_text("My Experience")
    attach(page, auto(page, "select-files"), resume_pdf)
    auto(page, "linkedinQuestion").fill("https://www.linkedin.com/in/ada-example")
    next_page(page)
    expected |= {"linkedinQuestion": "https://www.linkedin.com/in/ada-example"} | questions(page, job)
    expect(auto(page, "pageHeader")).to_have_text("Voluntary Disclosures")
    choose(page, "gender", "Female")
    auto(page, "agreementCheckbox").check()
    next_page(page)
    auto(page, "name").fill("Ada Example")
    for part, value in (("Month", "01"), ("Day", "15"), ("Year", "2030")):
        auto(page, f"dateSection{part}-input").fill(value)
    page.get_by_label("I do not want to answer").check()
    next_page(page)
    expect(auto(page, "pageHeader")).to_have_text("Review")
    expect(auto(page, "bottom-navigation-next-button")).to_have_text("Submit")
    assert page.url == app_url  # one page: the URL never names the step
    auto(page, "bottom-navigation-previous-button").click()
    expect(auto(page, "pageHeader")).to_have_text("Self Identify")
    expect(auto(page, "name")).to_have_value("Ada Example")  # the app keeps what each step saved
    next_page(page)
    next_page(page)
    expect(page.get_by_role("heading", name="Application Submitted")).to_be_visible()

    [record] = sandbox.submissions(site="workday", job=job["job_id"], email=email)
    expected |= {
        "gender": "Female",
        "agreementCheckbox": "Yes",
        "name": "Ada Example",
        "dateSectionMonth-input": "01",
        "dateSectionDay-input": "15",
        "dateSectionYear-input": "2030",
        "disabilityStatus": "I do not want to answer",
    }
    assert record["fields"] == expected
    assert record["files"][0]["field"] == "file-upload-input-ref"
    assert record["files"][0]["filename"] == resume_pdf.name


def test_workday_honeypot_and_password_rules(sandbox: Sandbox, email: str) -> None:
    job = sandbox.job("workday", 1)
    url = job["url"] + "/apply/applyManually/createAccount"
    form = {"email": email, "password": PASSWORD, "verifyPassword": PASSWORD, "createAccountCheckbox": "true"}
    trapped = sandbox.client.post(url, data=form | {"beecatcher": "filled by a bot"})
    assert trapped.status_code == 400 and "Something went wrong" in trapped.text
    weak = sandbox.client.post(url, data=form | {"password": "short", "verifyPassword": "short"})
    assert weak.status_code == 400 and "at least 8 characters" in weak.text
    assert sandbox.get("/_admin/mailbox", to=email)["messages"] == []
