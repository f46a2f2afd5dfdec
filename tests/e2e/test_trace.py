"""One task is one trace across the five services, with a span for every step, and nothing personal
in any of them: the e2e stack exports over OTLP to the local trace explorer (`autoapply traces`),
and a Greenhouse application with an emailed security code is followed from the API request to
its completion. The same application proves the code's way end to end: the sandbox mails it, the
verifier finds it in the user's mailbox, the executor types it in, and the site gets one
submission (the code that never comes: test_email)."""

import asyncio
import json
import re
import time
from typing import Any

import httpx
import pytest

from contracts.applications import ApplicationSubmitted
from contracts.mail import EmailVerificationNeeded, EmailVerified
from tests.e2e.stack import Stack, Watcher, applicant
from tests.e2e.test_apply import start_task
from tests.e2e.test_email import connect_mailbox, submissions
from tests.intake.client import PASSWORD, User

# The first test of the e2e package also waits for the stack to start (up to two minutes when busy).
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
SERVICES = {"intake", "provisioner", "executor", "verifier", "takeover"}
# What a field's span may say: which field, how it was filled, from where; never its value or label.
FIELD_ATTRIBUTES = {
    "autoapply.step",
    "autoapply.field_key",
    "autoapply.label_hash",
    "autoapply.widget",
    "autoapply.provenance",
    "autoapply.outcome",
}


async def spans_of(stack: Stack, trace_id: str, done: Any, timeout_s: float = 30) -> list[dict[str, Any]]:
    """The trace's spans once `done(spans)` holds (services export in batches, a moment apart)."""
    assert stack.traces_url is not None
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=stack.traces_url, timeout=10) as client:
        while True:
            answer = await client.get(f"/api/traces/{trace_id}")
            spans: list[dict[str, Any]] = answer.json()["spans"] if answer.status_code == 200 else []
            if done(spans) or time.monotonic() > deadline:
                return spans
            await asyncio.sleep(0.3)


def complete(spans: list[dict[str, Any]]) -> bool:
    names = {(s["service"], s["name"]) for s in spans}
    return {s["service"] for s in spans} >= SERVICES and ("intake", "handle application.completed") in names


def personal(user_email: str, code: str, resume_text: str, tokens: dict[str, Any]) -> list[str]:
    """The person's data as the test profile holds it (tests/e2e/stack.candidate), and their secrets."""
    return [
        user_email,
        user_email.replace("@", "%40"),
        "Ada Example",
        "+1 206 555 0100",
        "206 555 0100",
        "2065550100",
        "100 Example Street",
        "linkedin.com/in/ada-example",
        "github.com/ada-example",
        "ada.example.org",
        resume_text,
        PASSWORD,
        code,
        tokens["access_token"],
        tokens["refresh_token"],
    ]


def the_code_was_found_and_typed_in_once(
    stack: Stack, watcher: Watcher, job: dict[str, Any], user: User, asked: Any, verified: Any
) -> None:
    """The code the sandbox mailed is the one the verifier found; one submission, not recovered."""
    assert isinstance(asked, EmailVerificationNeeded) and asked.kind == "code" and asked.recipient == user.email
    inbox = stack.sandbox.get("/_admin/mailbox", to=user.email)["messages"]
    mails = [m for m in inbox if "Security code" in m["subject"]]
    assert len(mails) == 1 and isinstance(verified, EmailVerified)
    assert verified.value in mails[0]["text"] and len(verified.value) == 8
    sent = watcher.of(asked.task_id, ApplicationSubmitted.TYPE)
    assert len(sent) == 1 and isinstance(sent[0], ApplicationSubmitted) and not sent[0].recovered
    assert len(submissions(stack, job, user)) == 1


async def test_the_security_code_is_typed_in_and_the_task_is_one_trace_with_every_step_and_nothing_personal(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = stack.sandbox.job("greenhouse", 11)  # asks for an emailed security code: the verifier polls
    assert job["flags"]["email_verify"] is True
    user, resume = await applicant(http, job)
    await connect_mailbox(stack, user)
    task_id = await start_task(http, user, job["url"])
    try:
        asked = await watcher.wait_for(task_id, EmailVerificationNeeded.TYPE, timeout_s=120)
        verified = await watcher.wait_for(task_id, EmailVerified.TYPE, timeout_s=60)
        await watcher.wait_for(task_id, ApplicationSubmitted.TYPE, timeout_s=60)
        await watcher.wait_for(task_id, "application.completed", timeout_s=60)
    except AssertionError:
        print(stack.logs())
        raise
    the_code_was_found_and_typed_in_once(stack, watcher, job, user, asked, verified)
    assert isinstance(verified, EmailVerified)
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    trace_id = task["trace_id"]
    assert trace_id and task["trace_url"] == f"{stack.traces_url}/traces/{trace_id}"

    spans = await spans_of(stack, trace_id, complete)
    assert {s["service"] for s in spans} >= SERVICES, sorted({s["service"] for s in spans})
    async with httpx.AsyncClient(base_url=str(stack.traces_url), timeout=10) as client:
        traces = (await client.get("/api/traces", params={"task": str(task_id)})).json()
    assert [t["trace_id"] for t in traces] == [trace_id]  # every span that names the task is in this trace

    steps = [s for s in spans if s["name"].startswith("step ")]
    by_name = {s["name"] for s in steps}
    assert {"step navigate", "step analyze", "step fill field", "step submit click", "step mail poll"} <= by_name
    fields = [s for s in steps if s["name"] == "step fill field"]
    assert len(fields) >= 5 and all(set(s["attributes"]) <= FIELD_ATTRIBUTES for s in fields)
    assert {s["attributes"]["autoapply.provenance"] for s in fields} >= {"profile"}
    assert all(re.fullmatch(r"[0-9a-f]{16}", s["attributes"]["autoapply.label_hash"]) for s in fields)
    polls = [s for s in steps if s["name"] == "step mail poll"]
    assert all(s["service"] == "verifier" for s in polls) and polls

    systems = {s["attributes"].get("db.system") for s in spans}
    assert {"postgresql", "redis"} <= systems, systems
    assert any(s["service"] == "intake" and s["kind"] == "server" and "/api/v1/tasks" in s["name"] for s in spans)

    exported = json.dumps(spans).lower()
    leaks = [v for v in personal(user.email, verified.value, resume_text(resume), user.tokens) if v.lower() in exported]
    assert leaks == []
    assert not re.search(r"\bada\b", exported)  # the first name, on its own
    assert str(task_id) in exported  # ids are kept: they link a task to its trace


def resume_text(pdf: bytes) -> str:
    """The line the test resume carries (tests/e2e/stack.applicant writes it into the PDF)."""
    found = re.search(rb"Ada Example - Resume [0-9a-f]{6}", pdf)
    assert found is not None
    return found.group(0).decode()
