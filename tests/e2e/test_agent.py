"""Agent mode through the five services: a user who allowed the model applies, the real anthropic
client and browser-use in the executor talk to the local scripted Messages API server (the stack's
model, tests/e2e/conftest.py), and what arrives is checked at every end: the sandbox's record, the
receipt, application.submitted, the task API, and what the model server was sent."""

from __future__ import annotations

import asyncio
import io
import json
import time
import zipfile
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from bench._browsing import explorer
from bench._model import ModelServer, Recorded, Reply, Script, played
from bench._scripts import form_answers
from contracts.applications import ApplicationSubmitted
from contracts.human import HumanNeeded
from tests.e2e.stack import MODEL_KEY, Stack, Watcher, applicant
from tests.e2e.test_apply import start_task, submitted
from tests.intake.client import User

# A test's timeout counts its fixtures' setup too: the module that runs first in the package also
# starts the stack (over 200 s on a loaded machine), on top of its own minute or two.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(480)]
WHY = "Why do you want to work at"
ATRIUM_WHY = "What draws you to Atrium?"
# What of the made-up person's a model never needs for these forms (bench/forms.py PROFILE).
PRIVATE = ("206 555", "+12065550100", "100 Example Street", "98101", "linkedin.com/in", "github.com", "Ada Example")


async def llm_user(
    http: httpx.AsyncClient, job: dict[str, Any], leave_out: str | None = None, budget_usd: float | None = None
) -> tuple[User, bytes]:
    """A new user whose profile allows the model's drafts (within their own budget per task, where
    given), with a resume on file."""
    user, resume = await applicant(http, job, leave_out, allow_llm=True)
    if budget_usd is not None:
        profile = (await http.get("/api/v1/profile", headers=user.auth)).json()
        profile["preferences"]["llm_budget_usd"] = budget_usd
        answer = await http.put("/api/v1/profile", headers=user.auth, json=profile)
        assert answer.status_code == 200, answer.text
    return user, resume


def sent_nothing_private(requests: list[Recorded], user: User, stack: Stack) -> None:
    """Only the key, in its header; nothing of the user's the fields do not need; no secret of ours."""
    secret = stack.children["executor"].env["AUTOAPPLY_SECRET_KEY"]
    assert requests
    for request in requests:
        assert request.headers["x-api-key"] == MODEL_KEY
        body = request.text
        for private in (user.email, user.tokens["access_token"], MODEL_KEY, secret, *PRIVATE):
            assert private not in body, private
        assert secret not in json.dumps(request.headers)


def receipt_of(stack: Stack, event: ApplicationSubmitted) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((stack.objects / event.receipt_uri).read_bytes())
    return data


# How far intake's read model (it follows the bus) may lag behind an event on a loaded machine.
READ_MODEL_LAG_S = 60.0


async def task_of(
    http: httpx.AsyncClient, user: User, task_id: UUID, tokens: int | None = None, states: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The task as its owner sees it; with `tokens` (and `states`), once intake's read model shows them."""
    deadline = time.monotonic() + READ_MODEL_LAG_S
    while True:
        answer = await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)
        assert answer.status_code == 200, answer.text
        task: dict[str, Any] = answer.json()
        caught_up = tokens in (None, task["tokens"]) and (not states or task["state"] in states)
        if caught_up or time.monotonic() > deadline:
            return task
        await asyncio.sleep(0.3)


def spent_on_requests(requests: list[Recorded]) -> int:
    return sum(sum(r.usage.values()) for r in requests if r.status == 200)


def of_job(model: ModelServer, job: dict[str, Any]) -> list[Recorded]:
    """The requests of this test's task: its "Why do you want to work at <company>?" names the job's
    company (a task of an earlier test that ran out of time may still call the model)."""
    return [r for r in model.requests if job["company"] in r.text]


def careers_job(stack: Stack) -> dict[str, Any]:
    jobs = stack.sandbox.get("/_admin/jobs", site="careers")["jobs"][1:11]
    return next(j for j in jobs if any(q["label"].startswith(WHY) for q in j["questions"]))


async def test_a_drafted_answer_reaches_the_site_with_provenance_llm_and_the_tokens_show_on_the_task(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, e2e_model: ModelServer
) -> None:
    e2e_model.use(form_answers())
    job = careers_job(stack)
    user, _ = await llm_user(http, job)
    task_id = await start_task(http, user, job["url"])
    event = await submitted(watcher, stack, task_id, timeout_s=240)
    requests = of_job(e2e_model, job)

    [record] = stack.sandbox.submissions(site="careers", job_id=job["job_id"], email=user.email)
    why = next(f for f in event.fields if f.label.startswith(WHY))
    assert why.provenance == "llm" and "Technical Writer" in why.value
    assert why.value in {str(v) for v in record["fields"].values()}  # exactly the drafted text arrived
    assert not any(f.provenance == "llm" and "salary" in f.label.lower() for f in event.fields)

    assert event.usage is not None and event.usage.calls == len(requests) >= 1
    assert event.tokens == event.usage.all_tokens == spent_on_requests(requests) > 0
    receipt = receipt_of(stack, event)
    assert receipt["llm"]["total"]["calls"] == len(requests) and receipt["llm"]["model"]
    drafted = [f.model_dump() for f in event.fields if f.provenance == "llm"]
    assert why.model_dump() in drafted and [f for f in receipt["fields"] if f["provenance"] == "llm"] == drafted
    task = await task_of(http, user, task_id, tokens=event.tokens)
    assert task["tokens"] == event.tokens and task["usage"]["calls"] == len(requests)
    assert task["receipt"]["tokens"] == event.tokens
    assert why.model_dump() in task["receipt"]["fields"]

    sent_nothing_private(requests, user, stack)
    asked = json.loads(requests[0].body["messages"][0]["content"])
    assert any(f["label"].startswith(WHY) for f in asked["fields"])
    assert not any("salary" in f["label"].lower() or "authorized" in f["label"] for f in asked["fields"])
    assert set(asked["applicant_data"]) <= {"job", "applicant", "saved_answers", "preferences"}


# A model that answers this status to every request (None: one that answers).
FAILING = {"answers": None, "overloaded": 529, "rate_limited": 429}


@pytest.mark.parametrize("model", list(FAILING))
async def test_a_fact_question_goes_to_a_person_with_the_agent_on(
    model: str, stack: Stack, http: httpx.AsyncClient, watcher: Watcher, e2e_model: ModelServer
) -> None:
    """Years with a skill is a fact only the user gives: never sent to the model, asked of a person.
    A model that answers 529 (overloaded) or 429 (rate-limited) every time hands what it would have
    drafted to a person too."""
    status = FAILING[model]
    e2e_model.use(form_answers() if status is None else played([Reply.error(status)] * 10))
    job = stack.sandbox.job("ashby", 4)
    years = next(q["label"] for q in job["questions"] if q["key"] == "years_skill")
    user, _ = await llm_user(http, job, leave_out=years)
    task_id = await start_task(http, user, job["url"])
    needed = await watcher.wait_for(task_id, HumanNeeded.TYPE, timeout_s=240)
    assert isinstance(needed, HumanNeeded)
    assert years in needed.questions
    requests = of_job(e2e_model, job)
    assert requests and all(years not in r.text for r in requests)
    sent_nothing_private(requests, user, stack)
    if status is None:
        assert needed.tokens == spent_on_requests(requests) > 0 and "the agent stopped" not in needed.reason
    else:
        assert f"the agent stopped: the model answered {status}" in needed.reason
        assert len(requests) == 2 and needed.tokens == 0  # one try, the client's one retry, then a person
    assert stack.sandbox.submissions(email=user.email) == []


def atrium_model() -> Script:
    """browser-use's steps find the form; our own call drafts the free text: one model for both."""
    browse, answers = explorer(), form_answers()

    def reply(body: dict[str, Any]) -> Reply:
        ours = any(t.get("name") == "answer_fields" for t in body.get("tools") or ())
        return answers(body) if ours else browse(body)

    return reply


async def learned_rows(dsn: str, user_id: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        executor = await conn.fetchval("SELECT count(*) FROM executor.site_answers WHERE user_id = $1", UUID(user_id))
        intake = await conn.fetchval("SELECT count(*) FROM intake.site_answers WHERE user_id = $1", UUID(user_id))
        return int(executor), int(intake)
    finally:
        await conn.close()


async def test_an_unknown_site_is_found_once_the_second_application_costs_nothing_and_the_user_owns_it(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, e2e_model: ModelServer
) -> None:
    e2e_model.use(atrium_model())
    user, _ = await llm_user(http, {"questions": []})
    first = f"{stack.sandbox.http}/atrium/roles/platform-engineer"
    task_id = await start_task(http, user, first)
    event = await submitted(watcher, stack, task_id, timeout_s=240)
    requests = list(e2e_model.requests)
    browsing = [r for r in requests if r.body["tool_choice"].get("name") == "AgentOutput"]
    assert browsing and len(requests) > len(browsing)  # the agent's steps, then our one call for the text
    assert receipt_of(stack, event)["form_reached_by"] == "agent"
    [record] = stack.sandbox.submissions(site="atrium", email=user.email)
    drawn = next(f for f in event.fields if f.label == ATRIUM_WHY)
    assert drawn.provenance == "llm" and record["fields"]["drawn"] == drawn.value
    assert record["fields"]["given"] == "Ada" and record["fields"]["mail"] == user.email
    assert event.tokens == spent_on_requests(requests) > 0
    assert "x_email" in browsing[0].text  # the agent knows the placeholder, never the address
    sent_nothing_private(requests, user, stack)
    assert [(a.label, a.answer, a.provenance) for a in event.learned] == [(ATRIUM_WHY, drawn.value, "llm")]

    # The same user, another role of the site: the path and the confirmed answer are replayed.
    e2e_model.use(played([Reply.error(500)] * 20))
    second = await start_task(http, user, f"{stack.sandbox.http}/atrium/roles/data-analyst")
    again = await submitted(watcher, stack, second, timeout_s=240)
    assert e2e_model.requests == [] and again.tokens == 0
    assert receipt_of(stack, again)["form_reached_by"] == "replay"
    assert next(f for f in again.fields if f.label == ATRIUM_WHY).value == drawn.value
    assert len(stack.sandbox.submissions(site="atrium", email=user.email)) == 2
    assert (await task_of(http, user, second))["tokens"] == 0

    # What the agent learned for the user is theirs: in the export, and gone with the account.
    exported = await http.get("/api/v1/me/export", headers=user.auth)
    assert exported.status_code == 200
    rows = json.loads(zipfile.ZipFile(io.BytesIO(exported.content)).read("site_answers.json"))
    assert [(r["label"], r["answer"], r["provenance"]) for r in rows] == [(ATRIUM_WHY, drawn.value, "llm")]
    assert rows[0]["source_task_id"] == str(task_id)
    assert (await http.delete("/api/v1/me", headers=user.auth)).status_code == 202
    deadline = time.monotonic() + 30
    while await learned_rows(stack.dsn, user.user_id) != (0, 0):
        assert time.monotonic() < deadline, "the learned answers outlived the account"
        await asyncio.sleep(0.3)
    conn = await asyncpg.connect(stack.dsn)
    try:  # the path to the form is the site's, nobody's data: it stays for everyone
        assert await conn.fetchval("SELECT count(*) FROM executor.site_paths WHERE page_shape = '/atrium/roles/*'")
    finally:
        await conn.close()


# The user's own cap per task: far less than one step of the agent costs (a few thousand tokens).
TINY_BUDGET_USD = 0.0001


async def forget_site_path(dsn: str, shape: str) -> None:
    """The site's learned way to its forms (the module's other Atrium test may have learned it):
    this task must look for it with the model."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DELETE FROM executor.site_paths WHERE page_shape = $1", shape)
    finally:
        await conn.close()


async def test_past_the_users_budget_the_agent_stops_and_a_person_gets_the_task_with_its_cost(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, e2e_model: ModelServer
) -> None:
    await forget_site_path(stack.dsn, "/atrium/roles/*")
    e2e_model.use(atrium_model())
    user, _ = await llm_user(http, {"questions": []}, budget_usd=TINY_BUDGET_USD)
    task_id = await start_task(http, user, f"{stack.sandbox.http}/atrium/roles/product-designer")
    needed = await watcher.wait_for(task_id, HumanNeeded.TYPE, timeout_s=240)
    assert isinstance(needed, HumanNeeded)
    requests = list(e2e_model.requests)
    assert len(requests) == 1  # the agent's first step crossed the budget: no step after it, no draft
    assert requests[0].body["tool_choice"].get("name") == "AgentOutput"
    assert needed.reason.startswith("no application form was reached; the agent stopped: the task spent $")
    assert needed.reason.endswith(f"(budget ${TINY_BUDGET_USD:g})")
    assert needed.tokens == spent_on_requests(requests) > 0
    assert needed.usage is not None and needed.usage.usd > TINY_BUDGET_USD and needed.usage.all_tokens == needed.tokens
    waiting = ("NEED_HUMAN", "HUMAN_TAKEOVER")
    task = await task_of(http, user, task_id, tokens=needed.tokens, states=waiting)
    assert task["state"] in waiting, task["state"]
    assert task["tokens"] == needed.tokens and task["usage"]["usd"] == needed.usage.usd
    await asyncio.sleep(2)  # the executor has let the task go: nothing more reaches the model or the site
    assert len(e2e_model.requests) == 1
    assert stack.sandbox.submissions(site="atrium", email=user.email) == []
    assert not watcher.of(task_id, ApplicationSubmitted.TYPE)
    sent_nothing_private(requests, user, stack)
