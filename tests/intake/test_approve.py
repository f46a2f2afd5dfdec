"""Approving a review against a real intake: the executor's events (published here as it would)
bring a task to NEED_REVIEW; the task view shows what would be sent; only the owner approves, only
in review, once; the approval is one task.approved on the stream."""

import json
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.applications import SentField
from contracts.envelope import Event, utcnow
from contracts.human import Question
from contracts.profiles import ProfileReady
from contracts.states import TaskState
from contracts.streams import EVENTS_STREAM
from contracts.tasks import TaskProgress, TaskReviewNeeded
from runtime.bus import Bus
from tests.intake.client import PASSWORD, Intake, User, as_sql, ready_user, relogin
from tests.intake.test_cli import cli_env, run
from tests.support import eventually, unique

pytestmark = pytest.mark.integration
S = TaskState
FIELDS = (
    SentField(label="First Name", value="Jane", provenance="profile"),
    SentField(label="Email", value="jane.roe@example.org", provenance="profile"),
    SentField(label="Why us?", value="The work on search.", provenance="answer_bank"),
)
OPEN = (Question(label="Are you willing to relocate?", widget="radio", options=("Yes", "No"), reason="not in profile"),)


def to_review(task_id: str, user_id: str, dry_run: bool = False) -> list[Event]:
    """The executor's way from QUEUED to NEED_REVIEW, a millisecond apart."""
    ids = {"task_id": uuid.UUID(task_id), "user_id": uuid.UUID(user_id)}
    steps: list[Event] = [
        TaskProgress(**ids, state=S.PROVISIONING),
        ProfileReady(**ids, profile_id="p1", provider="local", platform="greenhouse", cdp_url="http://127.0.0.1:9"),
        TaskProgress(**ids, state=S.NAVIGATING),
        TaskProgress(**ids, state=S.ANALYZING),
        TaskProgress(**ids, state=S.EXECUTING_RPA),
        TaskReviewNeeded(
            **ids,
            page_url="https://boards.greenhouse.io/example/jobs/1",
            fields=FIELDS,
            unresolved=OPEN,
            files=(f"{user_id}/resumes/r.pdf",),
            dry_run=dry_run,
            resume_state=S.SUBMITTING,
        ),
    ]
    start = utcnow()
    return [e.model_copy(update={"occurred_at": start + timedelta(milliseconds=i)}) for i, e in enumerate(steps)]


async def task_in_review(http: httpx.AsyncClient, intake: Intake, dry_run: bool = False) -> tuple[User, str]:
    user, _ = await ready_user(http)
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": job()})
    assert made.status_code == 201, made.text
    task_id = made.json()["task_id"]
    bus = Bus([intake.servers["nats"]], unique("executor-stand-in"))
    await bus.connect()
    try:
        for event in to_review(task_id, user.user_id, dry_run):
            await bus.publish(event)
    finally:
        await bus.close()
    await eventually(lambda: state_is(http, user, task_id, "NEED_REVIEW"), timeout_s=20)
    return user, task_id


def job() -> str:
    return f"https://boards.greenhouse.io/example/jobs/{uuid.uuid4().int % 10**9}"


async def state_is(http: httpx.AsyncClient, user: User, task_id: str, state: str) -> bool:
    got = await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)
    return bool(got.json()["state"] == state)


async def approvals(nats_url: str, task_id: str) -> list[dict[str, object]]:
    nc = await nats.connect(nats_url)
    try:
        subject = f"task.approved.{task_id}"
        config = ConsumerConfig(filter_subject=subject, deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
        sub = await nc.jetstream().pull_subscribe(subject, stream=EVENTS_STREAM, config=config)
        pending = (await sub.consumer_info()).num_pending or 0
        found = [json.loads(m.data) for m in (await sub.fetch(pending, timeout=5) if pending else [])]
        await sub.unsubscribe()
        return found
    finally:
        await nc.close()


async def approve(http: httpx.AsyncClient, user: User, task_id: str, **corrections: str) -> httpx.Response:
    return await http.post(f"/api/v1/tasks/{task_id}/approve", headers=user.auth, json={"corrections": corrections})


async def test_the_task_view_shows_what_waits_for_review(http: httpx.AsyncClient, intake: Intake) -> None:
    user, task_id = await task_in_review(http, intake, dry_run=True)
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    review = task["review"]
    assert review["fields"] == [f.model_dump() for f in FIELDS]
    assert [q["label"] for q in review["unresolved"]] == ["Are you willing to relocate?"]
    assert review["unresolved"][0]["options"] == ["Yes", "No"]
    assert review["dry_run"] is True and review["page_url"].endswith("/jobs/1")
    assert review["review_id"] == task["timeline"][-1]["event_id"]


async def test_an_approval_is_one_task_approved_with_the_corrections(http: httpx.AsyncClient, intake: Intake) -> None:
    user, task_id = await task_in_review(http, intake)
    review_id = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()["review"]["review_id"]
    answer = await http.post(
        f"/api/v1/tasks/{task_id}/approve",
        headers=user.auth,
        json={"corrections": {"Are you willing to relocate?": "Yes", "Why us?": "The search team."}},
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "APPROVED"
    again = await approve(http, user, task_id, **{"Are you willing to relocate?": "No"})
    assert again.status_code == 409 and again.json()["error"] in ("already_approved", "not_in_review")
    await eventually(lambda: state_is(http, user, task_id, "SUBMITTING"), timeout_s=20)
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    assert task["review"] is None and task["timeline"][-1]["type"] == "task.approved"
    sent = await approvals(intake.servers["nats"], task_id)
    assert len(sent) == 1 and sent[0]["event_id"] == answer.json()["approval_id"]
    assert sent[0]["causation_id"] == review_id and sent[0]["resume_state"] == "SUBMITTING"
    assert sent[0]["corrections"] == {"Are you willing to relocate?": "Yes", "Why us?": "The search team."}
    late = await approve(http, user, task_id, **{"Are you willing to relocate?": "No"})
    assert late.status_code == 409 and (late.json()["error"], late.json()["state"]) == ("not_in_review", "SUBMITTING")


async def test_corrections_must_name_the_review_s_fields_and_answer_its_questions(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    user, task_id = await task_in_review(http, intake)
    typo = await approve(http, user, task_id, **{"Are you willing to relocate?": "Yes", "Frist Name": "Janet"})
    assert (
        typo.status_code == 422 and typo.json()["error"] == "unknown_label" and typo.json()["labels"] == ["Frist Name"]
    )
    unanswered = await approve(http, user, task_id, **{"First Name": "Janet"})
    assert unanswered.status_code == 422 and unanswered.json()["error"] == "unanswered_questions"
    assert unanswered.json()["labels"] == ["Are you willing to relocate?"]
    not_text = await http.post(f"/api/v1/tasks/{task_id}/approve", headers=user.auth, json={"corrections": {"a": 1}})
    assert not_text.status_code == 422 and not_text.json()["fields"][0]["field"].startswith("corrections")
    assert await approvals(intake.servers["nats"], task_id) == []
    assert (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()["state"] == "NEED_REVIEW"


async def test_only_the_owner_approves_and_only_in_review(http: httpx.AsyncClient, intake: Intake) -> None:
    owner, task_id = await task_in_review(http, intake)
    stranger, _ = await ready_user(http)
    assert (await approve(http, stranger, task_id, **{"Are you willing to relocate?": "Yes"})).status_code == 404
    assert (await approve(http, stranger, str(uuid.uuid4()))).status_code == 404
    assert (await http.post("/api/v1/tasks/not-a-uuid/approve", headers=owner.auth, json={})).status_code == 404
    await as_sql(intake.dsn, "UPDATE users SET role = 'operator' WHERE email = $1", stranger.email)
    await relogin(http, stranger)
    by_operator = await approve(http, stranger, task_id, **{"Are you willing to relocate?": "Yes"})
    assert by_operator.status_code == 403
    queued = await http.post("/api/v1/tasks", headers=owner.auth, json={"job_url": job()})
    early = await approve(http, owner, queued.json()["task_id"])
    assert early.status_code == 409 and early.json()["error"] == "not_in_review" and early.json()["state"] == "QUEUED"
    assert await approvals(intake.servers["nats"], task_id) == []


async def test_the_cli_shows_the_review_and_approves_it(
    http: httpx.AsyncClient, intake: Intake, tmp_path: Path
) -> None:
    user, task_id = await task_in_review(http, intake)
    env = cli_env(intake, tmp_path)
    code, out = await run(env, "login", "--email", user.email, "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    code, shown = await run(env, "task", task_id)
    assert code == 0 and "waiting for your approval" in shown and "answer_bank" in shown, shown
    assert "Are you willing to relocate?" in shown and "unanswered" in shown
    code, refused = await run(env, "approve", task_id, "--set", "Frist Name=Janet")
    assert code == 1 and "Frist Name" in refused and "Are you willing to relocate?" not in refused, refused
    code, bad = await run(env, "approve", task_id, "--set", "no equals sign")
    assert code == 2 and "LABEL=VALUE" in bad
    code, out = await run(env, "approve", task_id, "--set", "Are you willing to relocate?=No", "--set", "Why us?=A=B")
    assert code == 0 and "approved" in out, out
    await eventually(lambda: state_is(http, user, task_id, "SUBMITTING"), timeout_s=20)
    sent = await approvals(intake.servers["nats"], task_id)
    assert [s["corrections"] for s in sent] == [{"Are you willing to relocate?": "No", "Why us?": "A=B"}]
