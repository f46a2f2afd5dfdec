"""The job seeker's page in a real browser, on the whole system: sign up, upload a resume and fix what
was read from it, paste job links (a duplicate is refused with its reason), watch two applications
complete live, answer the third's question from the link in its notification mail, read the receipt;
the sandbox got exactly one application per job."""

import asyncio
import hashlib
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.stack import Stack, candidate
from tests.intake.client import PASSWORD

# Three applications of one account run one after another; alone on a worker the test also pays for
# starting and stopping the package's stack.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]
RESUME = Path(__file__).resolve().parents[2] / "examples" / "resume.pdf"
# A question of one job only (its office), which the profile does not answer: it comes to the user.
ONSITE = re.compile(r"^Can you work from our \w+ office three days a week\?$")
WAIT_MS = 150_000
SPECIAL = ("captcha", "closed", "applied", "email_verify", "daily_limit", "login_wall")


def plain(job: dict[str, Any]) -> bool:
    return not any(job["flags"].get(flag) for flag in SPECIAL)


def jobs(stack: Stack) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    """Two Greenhouse jobs the profile answers and one with a required question it does not (and its
    label), among the jobs no other test switches."""
    listed = [j for j in stack.sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][5:11] if plain(j)]
    asking = next(j for j in listed if any(ONSITE.match(q["label"]) and q["required"] for q in j["questions"]))
    label = next(q["label"] for q in asking["questions"] if ONSITE.match(q["label"]))
    others = [j for j in listed if j is not asking and not any(ONSITE.match(q["label"]) for q in j["questions"])]
    return others[0], others[1], asking, label


def profile_for(email: str, *for_jobs: dict[str, Any]) -> dict[str, Any]:
    """A made-up person's profile answering every question of these jobs but where the office is."""
    merged = candidate(email, for_jobs[0])
    for job in for_jobs[1:]:
        merged["answers"] |= candidate(email, job)["answers"]
    # The generic "Can you work from our office three days a week?" would answer it too.
    merged["answers"] = {q: a for q, a in merged["answers"].items() if "office three days a week" not in q}
    return merged


async def shot(page: Page, name: str) -> None:
    """Screenshots of the main views, when asked for (AUTOAPPLY_PAGE_SHOTS=<folder>)."""
    folder = os.environ.get("AUTOAPPLY_PAGE_SHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


async def mailed_link(stack: Stack, auth: dict[str, str], to: str, subject_has: str, timeout_s: float = 150) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for mail in stack.sandbox.get("/_admin/mailbox", to=to)["messages"]:
            if subject_has in mail["subject"]:
                found = re.search(r"http://127\.0\.0\.1:\d+/app/tasks/[0-9a-f-]+\?open=question#question", mail["text"])
                assert found, mail["text"]
                return found.group(0)
        await asyncio.sleep(0.5)
    async with httpx.AsyncClient(base_url=stack.intake_url) as http:
        tasks = (await http.get("/api/v1/tasks", headers=auth)).json()["tasks"]
    where = [(t["job_url"], t["state"]) for t in tasks]
    raise AssertionError(f"no mail to {to} about {subject_has!r} within {timeout_s} s; tasks {where}\n{stack.logs()}")


async def sign_up_and_fix_the_resume(
    page: Page, http: httpx.AsyncClient, email: str, profile: dict[str, Any]
) -> dict[str, str]:
    await page.goto("/app/signup")
    await shot(page, "01-sign-up")
    await page.get_by_label("Your name").fill("Maren Okafor")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create the account").click()
    await expect(page).to_have_url(re.compile(r"/app/profile\?welcome=1$"))
    tokens = (await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    # The answers the jobs ask for, as a person who used the page for a while would have them.
    assert (await http.put("/api/v1/profile", headers=auth, json=profile)).status_code == 201
    await page.reload()
    await expect(page.locator("#p-email")).to_have_value(email)

    await page.get_by_label("Upload a resume").set_input_files(RESUME)
    await page.get_by_role("button", name="Upload and read it").click()
    await expect(page.locator("#parsed-form")).to_be_visible()
    # The parser took the company for the title and the title for the company: the user puts them right,
    # and keeps the profile's e-mail and location (the resume's are older; and Lever's location
    # dropdown does not take "Oakland, California, United States" yet, a known form-engine miss).
    await expect(page.locator("#parsed-current_title")).to_have_value("Northwind Analytics")
    await page.locator("#parsed-current_title").fill("Senior Data Engineer")
    await page.locator("#parsed-current_company").fill("Northwind Analytics")
    await page.get_by_label("Use E-mail").uncheck()
    await page.get_by_label("Use Location").uncheck()
    await shot(page, "02-resume-review")
    await page.get_by_role("button", name="Save the ticked values to my profile").click()
    await expect(page.locator("#parsed-form")).to_be_hidden()
    await expect(page.locator("#p-current_title")).to_have_value("Senior Data Engineer")
    await shot(page, "03-profile")
    saved = (await http.get("/api/v1/profile", headers=auth)).json()
    assert (saved["current_title"], saved["current_company"]) == ("Senior Data Engineer", "Northwind Analytics")
    assert (saved["first_name"], saved["email"]) == ("Maren", email)
    return auth


async def test_a_job_seeker_applies_answers_from_the_mail_and_reads_the_receipt(
    stack: Stack, http: httpx.AsyncClient, chromium_browser: Browser
) -> None:
    first, second, asking, onsite = jobs(stack)
    email = f"maren-{uuid.uuid4().hex[:10]}@example.org"
    context = await chromium_browser.new_context(base_url=stack.intake_url, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    auth = await sign_up_and_fix_the_resume(page, http, email, profile_for(email, first, second, asking))

    await page.get_by_role("link", name="Applications", exact=True).click()
    again = first["url"] + ("&" if "?" in first["url"] else "?") + "utm_source=newsletter"  # the same job
    links = [first["url"], second["url"], asking["url"], again]
    await page.get_by_label("Job links, one per line").fill("\n".join(links))
    await page.get_by_role("button", name="Apply", exact=True).click()
    results = page.locator("#apply-results")
    await expect(results).to_contain_text("3 started, 1 refused")
    await expect(results.locator("li.refused")).to_contain_text("Duplicate: you already have an application")
    tasks = (await http.get("/api/v1/tasks", headers=auth)).json()["tasks"]
    ids = {t["job_url"]: t["task_id"] for t in tasks}
    assert len(ids) == 3
    # One account's applications on one site take its browser in turn: the question may come first.
    link = await mailed_link(stack, auth, email, "A question only you can answer")
    await expect(page.locator(f"#task-{ids[asking['url']]} .progress")).to_contain_text(onsite, timeout=WAIT_MS)
    await shot(page, "04-applications")
    await page.goto(link)
    question = page.locator("#question")
    await expect(question).to_be_visible()
    answer = question.get_by_label(onsite)
    await expect(answer).to_be_focused()
    await shot(page, "05-question")
    await answer.select_option("Yes")
    await question.get_by_role("button", name="Send my answer").click()
    await expect(question).to_contain_text("your answer is on its way")
    receipt = page.locator("#receipt")
    await expect(page.locator("#task-summary")).to_contain_text("Applied", timeout=WAIT_MS)
    await expect(receipt).to_be_visible()
    row = receipt.locator("tr", has_text=onsite)
    await expect(row).to_contain_text("Yes")
    await expect(row).to_contain_text("answer bank")  # the user's own answer, from their bank
    await expect(receipt.locator("img").first).to_be_visible()
    assert await receipt.locator("img").first.evaluate("img => img.naturalWidth") > 0
    await shot(page, "06-receipt")

    await page.get_by_role("link", name="Applications", exact=True).click()
    for url in (first["url"], second["url"], asking["url"]):
        await expect(page.locator(f"#task-{ids[url]} .state")).to_have_text("Applied", timeout=WAIT_MS)
    await shot(page, "07-applications-done")
    await page.goto("/app/notifications")
    notes = page.locator("#notes li")
    await expect(notes.filter(has_text="Applied:")).to_have_count(3, timeout=30_000)
    await expect(notes.filter(has_text="A question only you can answer")).to_have_count(1)
    await shot(page, "08-notifications")
    await context.close()

    resume = hashlib.sha256(RESUME.read_bytes()).hexdigest()
    for job in (first, second, asking):
        sent = stack.sandbox.submissions(site="greenhouse", job_id=job["job_id"], email=email)
        assert len(sent) == 1, (job["job_id"], sent)
        assert [f["sha256"] for f in sent[0]["files"]] == [resume]
    bank = (await http.get("/api/v1/profile", headers=auth)).json()["answers"]
    assert (bank[onsite]["answer"], bank[onsite]["provenance"]) == ("Yes", "user")
