"""Per-job switches (login wall, closed, already applied, slow), per-job variation, mailbox, admin, process."""

import json
import re
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.fill import fill_greenhouse_basics, fill_greenhouse_questions
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox

pytestmark = pytest.mark.integration


def test_login_wall_asks_for_sign_in_first(sandbox: Sandbox, page: Page, email: str) -> None:
    job = sandbox.job("greenhouse", 4)
    page.goto(job["url"] + "?login_wall=1")
    expect(page.get_by_role("heading", name="Sign in to MyGreenhouse")).to_be_visible()
    page.fill("#username", email)
    page.fill("#password", "Wrong-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    sandbox.post("/_admin/accounts", {"site": "greenhouse", "email": email, "password": "Right-pass-1"})
    page.fill("#password", "Right-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(job["title"])
    assert "login_wall=1" in page.url  # the flag travels with the flow
    expect(page.locator("#first_name")).to_be_visible()


def test_closed_jobs_say_so_on_every_platform(sandbox: Sandbox, page: Page) -> None:
    for site in ("greenhouse", "lever", "ashby", "workday", "careers"):
        job = sandbox.job(site, 13)  # the catalog's closed job
        assert job["flags"]["closed"] is True
        assert "no longer accepting applications" in sandbox.client.get(job["url"]).text
    job = sandbox.job("linkedin", 2)
    sandbox.set_flags("linkedin", job["job_id"], closed=True, login_wall=False)
    page.goto(job["url"])
    expect(page.get_by_text("No longer accepting applications")).to_be_visible()
    expect(page.locator("button.jobs-apply-button")).to_have_count(0)


def test_already_applied_is_refused_in_the_platform_words(
    sandbox: Sandbox, page: Page, email: str, resume_pdf: Path
) -> None:
    job = sandbox.job("greenhouse", 5)
    sandbox.set_flags("greenhouse", job["job_id"], applied=[email])
    page.goto(job["url"])
    fill_greenhouse_basics(page, email, resume_pdf)
    fill_greenhouse_questions(page, [q for q in job["questions"] if q["required"]])
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".application--error")).to_have_text(
        "You have already applied for this position. We'll be in touch if there is a fit."
    )
    assert sandbox.submissions(site="greenhouse", job=job["job_id"], email=email) == []

    linkedin = sandbox.job("linkedin", 3)
    sandbox.post("/_admin/accounts", {"site": "linkedin", "email": email, "password": "Sandbox-pass-1"})
    sandbox.set_flags("linkedin", linkedin["job_id"], applied=[email])
    page.goto(linkedin["url"])
    page.fill("#username", email)
    page.fill("#password", "Sandbox-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".jobs-apply-button--top-card")).to_contain_text("Applied")


def test_slow_response_follows_the_flag(sandbox: Sandbox) -> None:
    job = sandbox.job("lever", 5)
    started = time.monotonic()
    sandbox.client.get(job["url"], params={"delay_ms": "700"}).raise_for_status()
    slow = time.monotonic() - started
    started = time.monotonic()
    sandbox.client.get(job["url"]).raise_for_status()
    assert slow >= 0.7 > time.monotonic() - started
    sandbox.set_flags("lever", job["job_id"], delay_ms=400)
    started = time.monotonic()
    sandbox.client.get(job["url"] + "/apply").raise_for_status()
    assert time.monotonic() - started >= 0.4
    sandbox.clear_flags("lever", job["job_id"])


def field_ids(html: str) -> list[str]:
    return re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', html)


@pytest.mark.parametrize("site", ["greenhouse", "ashby", "linkedin"])
def test_ids_and_order_differ_between_jobs_of_one_platform(sandbox: Sandbox, site: str) -> None:
    first, second = sandbox.job(site, 0), sandbox.job(site, 1)
    assert {q["id"] for q in first["questions"]}.isdisjoint(q["id"] for q in second["questions"])
    assert [q["key"] for q in first["questions"]] != [q["key"] for q in second["questions"]]
    if site != "linkedin":  # LinkedIn's form arrives step by step after sign-in
        suffix = "/application" if site == "ashby" else ""
        one, two = (field_ids(sandbox.client.get(j["url"] + suffix).text) for j in (first, second))
        assert one != two and set(one) != set(two)


def test_workday_generic_input_ids_differ_between_jobs(sandbox: Sandbox) -> None:
    jobs = sandbox.get("/_admin/jobs", site="workday")["jobs"]
    assert len({j["ids"]["suffix"] for j in jobs}) > 5


def test_smtp_sink_accepts_mail_from_anyone(sandbox: Sandbox) -> None:
    msg = EmailMessage()
    msg["From"] = "someone@elsewhere.example.net"
    msg["To"] = "Ada Example <ada.inbox@example.com>"
    msg["Subject"] = "Hello from a test"
    msg.set_content("plain body")
    msg.add_alternative("<p>html body</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", sandbox.smtp_port, timeout=5) as smtp:
        smtp.send_message(msg)
    mail = sandbox.mail("ada.inbox@example.com", "Hello from a test")
    assert mail["text"].strip() == "plain body" and "<p>html body</p>" in mail["html"]
    raw = sandbox.client.get(f"/_admin/mailbox/{mail['id']}/raw")
    assert raw.headers["content-type"].startswith("message/rfc822") and b"Hello from a test" in raw.content
    assert (sandbox.state_dir / "mail" / f"{mail['id']}.eml").exists()
    future = "2999-01-01T00:00:00Z"
    assert sandbox.get("/_admin/mailbox", to="ada.inbox@example.com", since=future)["messages"] == []


def test_admin_api_refuses_unknown_flags_and_lists_jobs(sandbox: Sandbox) -> None:
    jobs = sandbox.get("/_admin/jobs")["jobs"]
    for site in ("greenhouse", "lever", "ashby", "workday", "linkedin", "careers"):
        assert len([j for j in jobs if j["site"] == site]) >= 12
    job = jobs[0]
    resp = sandbox.client.post(f"/_admin/jobs/{job['site']}/{job['job_id']}", json={"teleport": True})
    assert resp.status_code == 400 and "unknown flag" in resp.json()["error"]
    assert sandbox.client.get("/_admin/jobs/greenhouse/0000").status_code == 404


def test_submissions_are_appended_as_json_lines(sandbox: Sandbox) -> None:
    path = sandbox.state_dir / "submissions.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []  # run alone, nothing was accepted yet
    recorded = {json.loads(line)["confirmation_id"] for line in lines}
    assert recorded == {s["confirmation_id"] for s in sandbox.submissions()}


def test_process_prints_addresses_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    box = start_sandbox(tmp_path / "state")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", box.http) and box.smtp_port > 0
        assert box.client.get("/_admin/health").json()["ok"] is True
    finally:
        box.client.close()
        assert stop_sandbox(box.proc) == 0
