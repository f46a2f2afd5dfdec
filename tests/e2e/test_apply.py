"""A job URL handed to intake becomes one submitted application on the sandbox, through the services
alone: per platform, exactly one submission with the profile's values and the resume file; a
question the profile cannot answer goes to a person (human.needed), and their answer completes it."""

import hashlib
from typing import Any
from uuid import UUID

import httpx
import pytest

from contracts.applications import ApplicationSubmitted
from contracts.states import TaskState
from tests.e2e.stack import Stack, Watcher, applicant, candidate
from tests.intake.client import User

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def start_task(http: httpx.AsyncClient, user: User, url: str, **preferences: Any) -> UUID:
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": url, "preferences": preferences})
    assert made.status_code == 201, made.text
    return UUID(made.json()["task_id"])


def values(submission: dict[str, Any]) -> set[str]:
    """Every value the site received, lists flattened."""
    out: set[str] = set()
    for value in submission["fields"].values():
        out |= set(value) if isinstance(value, list) else {value}
    return out


def assert_profile_values(record: dict[str, Any], job: dict[str, Any], user: User) -> None:
    """The site received the profile's name and email, and the answer bank's answer to each question it asked."""
    sent = values(record)
    assert record["email"] == user.email and user.email in sent
    if job["site"] != "linkedin":  # LinkedIn sends the member's name from the account, not the form
        assert {"Ada", "Example"} <= sent or "Ada Example" in sent
    profile = candidate(user.email, job)
    for question in job["questions"]:
        expected = profile["answers"].get(question["label"])
        if expected is not None and question["required"] and question["kind"] in ("yesno", "select", "number"):
            assert expected in sent, (question["label"], expected)


def assert_one_application(stack: Stack, job: dict[str, Any], user: User, resume: bytes) -> dict[str, Any]:
    found = stack.sandbox.submissions(site=job["site"], job_id=job["job_id"], email=user.email)
    assert len(found) == 1, found
    files = found[0]["files"]
    assert [f["sha256"] for f in files] == [hashlib.sha256(resume).hexdigest()]
    assert files[0]["filename"] == "Ada_Example_Resume.pdf"
    return found[0]


async def submitted(watcher: Watcher, stack: Stack, task_id: UUID, timeout_s: float = 90) -> ApplicationSubmitted:
    try:
        event = await watcher.wait_for(task_id, ApplicationSubmitted.TYPE, timeout_s=timeout_s)
    except AssertionError:
        print(stack.logs())
        raise
    assert isinstance(event, ApplicationSubmitted)
    return event


# LinkedIn's jobs sit behind sign-in; this e2e switches the wall off for its job (signing in, with
# a stored account or by the user in the live browser: test_signin).
FLAGS: dict[str, dict[str, Any]] = {"linkedin": {"login_wall": False}}
TEMPLATED = ("greenhouse", "lever", "ashby")


@pytest.mark.parametrize("site", ["greenhouse", "lever", "ashby", "careers", "linkedin"])
async def test_a_job_url_becomes_one_application_with_the_profiles_values(
    site: str, stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = stack.sandbox.job(site, 0)
    if site in FLAGS:
        stack.sandbox.set_flags(site, job["job_id"], **FLAGS[site])
    user, resume = await applicant(http, job)
    task_id = await start_task(http, user, job["url"])
    event = await submitted(watcher, stack, task_id)
    record = assert_one_application(stack, job, user, resume)
    assert_profile_values(record, job, user)
    by_label = {f.label: f for f in event.fields}
    assert by_label[next(iter(by_label))].provenance in ("profile", "answer_bank", "default")
    if site != "linkedin":
        assert any(f.value in ("Ada", "Ada Example") and f.provenance == "profile" for f in by_label.values())
    assert not event.recovered and event.confirmation_text and event.receipt_uri.endswith("/receipt.json")
    assert event.files and event.files[0].startswith(f"{user.user_id}/resumes/")
    shots = list((stack.objects / user.user_id / "tasks" / str(task_id) / "screenshots").glob("*.png"))
    assert len(shots) >= 3 and set(event.screenshots) <= {str(p.relative_to(stack.objects)) for p in shots}
    states = [e.state for e in watcher.of(task_id, "task.progress")]  # type: ignore[attr-defined]
    assert TaskState.NAVIGATING in states and TaskState.SUBMITTING in states
    if site in TEMPLATED:  # a known platform's page runs its template, not the engine alone
        assert TaskState.EXECUTING_RPA in states and TaskState.EXECUTING_AGENT not in states
