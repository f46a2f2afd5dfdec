"""Workday replica: account creation, the emailed verification link, sign-in, and the whole wizard."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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


def ctl(page: Page, job: dict[str, Any], key: str) -> Any:
    """A My Information control: by data-automation-id on legacy tenants, by id on current ones."""
    name = job["ids"][key]
    return page.locator(f'[data-automation-id="{name}"], [id="{name}"]')


def pick(page: Page, button: Any, option: str) -> None:
    button.click()
    page.locator(
        f'[data-automation-widget="wd-popup"] [data-automation-id="promptOption"][data-automation-label="{option}"]'
    ).click()
    expect(button).to_have_text(option)


def my_information(page: Page, job: dict[str, Any]) -> dict[str, Any]:
    expect(ctl(page, job, "first")).to_be_visible()
    assert page.locator("#wd-app [name]").count() == 0 and page.locator("form").count() == 0
    next_page(page)  # nothing filled yet: Workday lists what is missing
    expect(auto(page, "errorBanner")).to_contain_text("The field First Name is required and must have a value.")
    expect(ctl(page, job, "region")).to_be_hidden()  # no country yet, so no State list
    pick(page, ctl(page, job, "country"), "Canada")
    ctl(page, job, "region").click()  # the State list follows the country
    expect(page.locator('[data-automation-id="promptOption"][data-automation-label="Ontario"]')).to_be_visible()
    assert page.locator('[data-automation-id="promptOption"][data-automation-label="California"]').count() == 0
    pick(page, ctl(page, job, "country"), "United States of America")
    how_did_you_hear(page, ctl(page, job, "source"))
    auto(page, "candidateIsPreviousWorker").get_by_label("No").check()
    typed = {
        "first": "Ada",
        "last": "Example",
        "line1": "1 Example Street",
        "city": "Springfield",
        "postal": "94105",
        "phone": "415-555-0100",
    }
    for key, value in typed.items():
        ctl(page, job, key).fill(value)
    pick(page, ctl(page, job, "region"), "California")
    pick(page, ctl(page, job, "phone_type"), "Mobile")
    next_page(page)
    chosen: dict[str, Any] = {
        "country": "United States of America",
        "source": ["LinkedIn", "Career Fair"],
        "region": "California",
        "phone_type": "Mobile",
    }
    return {job["ids"][k]: v for k, v in (typed | chosen).items()} | {"candidateIsPreviousWorker": "No"}


def how_did_you_hear(page: Page, search: Any) -> None:
    """The nested, searchable multi-select: open a category and tick a source, then search for another."""
    search.click()
    popup = page.locator('[data-automation-widget="wd-popup"]')
    category = popup.locator('[data-automation-label="Job Board"]')
    source = popup.locator('[data-automation-label="LinkedIn"]')
    # On a loaded machine the category's first click can land while the prompt still renders, and
    # the category never opens; a person clicks it again, and so does this.
    for attempt in range(3):
        category.click()
        try:
            source.wait_for(state="visible", timeout=4000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    source.click()
    search.press_sequentially("Career", delay=20)
    search.press("Enter")
    pills = search.locator("xpath=..").locator('[data-automation-id="selectedItem"]')
    expect(pills).to_have_count(2)
    page.locator("h2").first.click()  # away from the prompt: it closes


def my_experience(page: Page, resume: Path) -> dict[str, str]:
    """Resume, then work history, education and a website behind their Add buttons."""
    attach(page, auto(page, "select-files"), resume)
    auto(page, "linkedinQuestion").fill("https://www.linkedin.com/in/ada-example")
    page.get_by_role("button", name="Add Work Experience").click()
    next_page(page)  # an added panel must be filled in, or deleted
    expect(auto(page, "errorBanner")).to_contain_text("The field Job Title is required and must have a value.")
    page.locator('[id="workExperience-1--jobTitle"]').fill("Staff Engineer")
    page.locator('[id="workExperience-1--companyName"]').fill("Example Corp")
    month = page.locator('[id="workExperience-1--startDate-dateSectionMonth-input"]')
    month.press_sequentially("3")  # a month past 1 is complete at one digit: on to the year
    expect(page.locator('[id="workExperience-1--startDate-dateSectionYear-input"]')).to_be_focused()
    page.keyboard.type("2021")
    end = page.locator('[data-automation-id="workExperience-1"] [data-automation-id="formField-endDate"]')
    expect(end).to_be_visible()  # required until the job is one the person still has
    page.locator('[id="workExperience-1--currentlyWorkHere"]').check()
    expect(end).to_be_hidden()
    page.get_by_role("button", name="Add Education").click()
    school = page.locator('[id="education-1--schoolName"]')
    school.press_sequentially("Unseen Valley College", delay=10)  # in no list: still accepted
    school.press("Enter")
    pick(page, page.locator('[id="education-1--degree"]'), "Master's Degree")
    page.get_by_role("button", name="Add Languages").click()
    page.get_by_role("button", name="Delete Languages 1").click()  # gone again: nothing recorded
    page.get_by_role("button", name="Add Websites").click()
    page.locator('[id="webAddress-1--url"]').fill("https://ada.example.org")
    next_page(page)
    return {
        "linkedinQuestion": "https://www.linkedin.com/in/ada-example",
        "workExperience-1--jobTitle": "Staff Engineer",
        "workExperience-1--companyName": "Example Corp",
        "workExperience-1--currentlyWorkHere": "Yes",
        "workExperience-1--startDate-dateSectionMonth-input": "03",
        "workExperience-1--startDate-dateSectionYear-input": "2021",
        "education-1--schoolName": "Unseen Valley College",
        "education-1--degree": "Master's Degree",
        "webAddress-1--url": "https://ada.example.org",
    }


def questions(page: Page, job: dict[str, Any]) -> dict[str, str]:
    """The questions on this page of Application Questions (one or two pages, per job)."""
    answers = {}
    for q in job["questions"]:
        if auto(page, q["id"]).count() == 0:
            continue
        if q["kind"] in ("yesno", "select"):
            choose(page, q["id"], q["options"][0])
            answers[q["id"]] = q["options"][0]
        else:
            auto(page, q["id"]).fill("Because the work matters.")
            answers[q["id"]] = "Because the work matters."
    next_page(page)
    return answers


def self_identify(page: Page) -> dict[str, str]:
    auto(page, "name").fill("Ada Example")
    for part, value in (("Month", "01"), ("Day", "15"), ("Year", "2030")):
        auto(page, f"dateSection{part}-input").fill(value)
    page.get_by_label("I do not want to answer").check()
    next_page(page)
    return {
        "name": "Ada Example",
        "dateSectionMonth-input": "01",
        "dateSectionDay-input": "15",
        "dateSectionYear-input": "2030",
        "disabilityStatus": "I do not want to answer",
    }


def tenant_job(sandbox: Sandbox, ids: str, pages: int, identify: bool) -> dict[str, Any]:
    return next(
        j
        for j in sandbox.get("/_admin/jobs", site="workday")["jobs"][:12]
        if (j["traps"]["workday_ids"], j["traps"]["question_pages"], j["traps"]["self_identify"])
        == (ids, pages, identify)
    )


@pytest.mark.parametrize(
    ("ids", "pages", "identify"), [("legacy", 1, True), ("current", 2, False)], ids=["legacy", "current"]
)
def test_workday_account_verification_and_wizard(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path, ids: str, pages: int, identify: bool
) -> None:
    job = tenant_job(sandbox, ids, pages, identify)
    create_verify_sign_in(sandbox, page, job, email)
    app_url = page.url
    assert app_url.split("?")[0].endswith("/apply/applyManually")
    expected = my_information(page, job)
    expect(auto(page, "pageHeader")).to_have_text("My Experience")
    expected |= my_experience(page, resume_pdf)
    for n in range(1, pages + 1):
        title = f"Application Questions {n} of 2" if pages == 2 else "Application Questions"
        expect(auto(page, "pageHeader")).to_have_text(title)
        expected |= questions(page, job)
    expect(auto(page, "pageHeader")).to_have_text("Voluntary Disclosures")
    choose(page, "gender", "Female")
    auto(page, "agreementCheckbox").check()
    next_page(page)
    expected |= {"gender": "Female", "agreementCheckbox": "Yes"}
    if identify:
        expected |= self_identify(page)
    expect(auto(page, "pageHeader")).to_have_text("Review")
    expect(auto(page, "bottom-navigation-next-button")).to_have_text("Submit")
    assert page.url == app_url  # one page: the URL never names the step
    auto(page, "bottom-navigation-previous-button").click()
    expect(auto(page, "pageHeader")).to_have_text("Self Identify" if identify else "Voluntary Disclosures")
    if identify:  # saved steps keep their values
        expect(auto(page, "name")).to_have_value("Ada Example")
    else:
        expect(auto(page, "agreementCheckbox")).to_be_checked()
    next_page(page)
    expect(auto(page, "pageHeader")).to_have_text("Review")
    next_page(page)
    expect(page.get_by_role("heading", name="Application Submitted")).to_be_visible()

    [record] = sandbox.submissions(site="workday", job=job["job_id"], email=email)
    assert record["fields"] == expected
    assert set(expected) >= {q["id"] for q in job["questions"]}
    assert record["files"][0]["field"] == "file-upload-input-ref"
    assert record["files"][0]["filename"] == resume_pdf.name


def test_workday_honeypot_and_password_rules(sandbox: Sandbox, email: str) -> None:
    job = sandbox.job("workday", 1)
    url = job["url"] + "/apply/applyManually/createAccount"
    form = {"email": email, "password": PASSWORD, "verifyPassword": PASSWORD, "createAccountCheckbox": "true"}
    trapped = sandbox.client.post(url, data=form | {"website": "https://ada.example.org"})
    assert trapped.status_code == 400 and "Something went wrong" in trapped.text
    weak = sandbox.client.post(url, data=form | {"password": "short", "verifyPassword": "short"})
    assert weak.status_code == 400 and "at least 8 characters" in weak.text
    assert sandbox.get("/_admin/mailbox", to=email)["messages"] == []


def test_a_workday_tenant_that_mails_a_code_verifies_the_account_by_that_code(sandbox: Sandbox, email: str) -> None:
    job = sandbox.job("workday", 2)
    sandbox.set_flags("workday", job["job_id"], email_code=True)
    try:
        base = job["url"] + "/apply/applyManually"
        form = {"email": email, "password": PASSWORD, "verifyPassword": PASSWORD, "createAccountCheckbox": "true"}
        made = sandbox.client.post(base + "/createAccount", data=form)
        assert made.status_code == 200 and 'data-automation-id="verifyEmailForm"' in made.text
        assert "We sent a verification code to" in made.text
        [mail] = sandbox.get("/_admin/mailbox", to=email)["messages"]
        assert mail["subject"].endswith(": your verification code") and "/activate/" not in mail["text"]
        found = re.search(r"Your verification code is (\d{6})", mail["text"])
        assert found is not None
        wrong = "000000" if found.group(1) != "000000" else "111111"
        refused = sandbox.client.post(base + "/verifyCode", data={"email": email, "verificationCode": wrong})
        assert refused.status_code == 400 and "not valid" in refused.text
        signin = {"email": email, "password": PASSWORD}
        # Not verified yet: a code tenant answers a sign-in with its code page and mails the code again.
        again = sandbox.client.post(base + "/signIn", data=signin)
        assert again.status_code == 200 and 'data-automation-id="verifyEmailForm"' in again.text
        mails = sandbox.get("/_admin/mailbox", to=email)["messages"]
        assert len(mails) == 2 and f"Your verification code is {found.group(1)}" in mails[-1]["text"]
        done = sandbox.client.post(base + "/verifyCode", data={"email": email, "verificationCode": found.group(1)})
        assert done.status_code == 303 and done.headers["location"].endswith("/apply/applyManually")
        [account] = [
            a for a in sandbox.get("/_admin/accounts", site=f"workday:{job['org']}")["accounts"] if a["email"] == email
        ]
        assert account["verified"] is True
    finally:
        sandbox.clear_flags("workday", job["job_id"])


def test_a_workday_tenant_that_says_only_not_verified_mails_a_fresh_link_on_resend(
    sandbox: Sandbox, email: str
) -> None:
    job = sandbox.job("workday", 3)
    sandbox.set_flags("workday", job["job_id"], bare_unverified=True)
    try:
        base = job["url"] + "/apply/applyManually"
        form = {"email": email, "password": PASSWORD, "verifyPassword": PASSWORD, "createAccountCheckbox": "true"}
        assert sandbox.client.post(base + "/createAccount", data=form).status_code == 200
        [first] = sandbox.get("/_admin/mailbox", to=email)["messages"]
        bare = sandbox.client.post(base + "/signIn", data={"email": email, "password": PASSWORD})
        assert bare.status_code == 403 and "Account not verified." in bare.text
        assert "verification email" not in bare.text and "verifyEmailForm" not in bare.text  # nothing more said
        assert 'data-automation-id="resendAccountVerificationButton"' in bare.text
        resent = sandbox.client.post(base + "/resendVerification", data={"email": email})
        assert resent.status_code == 200 and f"We sent a verification email to {email}" in resent.text
        mails = sandbox.get("/_admin/mailbox", to=email)["messages"]
        assert len(mails) == 2 and mails[-1]["subject"] == first["subject"]
        old, new = (re.search(r"https?://\S+/activate/\S+", m["text"]) for m in (first, mails[-1]))
        assert old is not None and new is not None and old.group(0) != new.group(0)
        assert sandbox.client.get(old.group(0)).status_code == 404  # a resend ends the old link
        assert sandbox.client.get(new.group(0)).status_code == 200
        signed_in = sandbox.client.post(base + "/signIn", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 303
    finally:
        sandbox.clear_flags("workday", job["job_id"])
