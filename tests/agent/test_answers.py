"""The agent answers what the profile left open on a real page: the real anthropic client against
the local Messages API server, the sandbox's careers page in real Chromium, the form engine filling.

What arrives at the sandbox is checked, and so is what our code sent the model: the fields it may
answer and the profile parts they need, no key in the logs, no phone, no address, no salary.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from bench._model import ModelServer, Reply, played
from bench._scripts import OVERREACH, form_answers
from contracts.applications import TokenUsage
from contracts.profile import Profile
from forms.fill import submit
from services.executor import agent, llm
from services.executor.settings import LlmSettings
from tests.forms.test_fill_sandbox import profile_for
from tests.sandbox.harness import Sandbox

if TYPE_CHECKING:  # the SDK takes a second and a half to import; every xdist worker collects this
    import anthropic

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

KEY = "sk-ant-test-" + "k" * 24
WHY = "Why do you want to work at"


def settings(server: ModelServer, **extra: Any) -> LlmSettings:
    return LlmSettings(
        anthropic_api_key=KEY, anthropic_base_url=server.url, llm_budget_usd=1.0, llm_max_retries=1, **extra
    )


CLIENTS: list[anthropic.AsyncAnthropic] = []


def client(config: LlmSettings) -> anthropic.AsyncAnthropic:
    made = llm.client_for(config)
    CLIENTS.append(made)
    return made


@pytest_asyncio.fixture(autouse=True, loop_scope="package")
async def _close_clients() -> AsyncIterator[None]:
    yield
    while CLIENTS:
        await CLIENTS.pop().close()


def helper(config: LlmSettings, profile: Profile) -> agent.Agent:
    allowed = profile.model_copy(update={"preferences": profile.preferences.model_copy(update={"allow_llm": True})})
    return agent.for_task(config, client(config), allowed, None)


def careers_job(sandbox: Sandbox) -> dict[str, Any]:
    jobs = sandbox.get("/_admin/jobs", site="careers")["jobs"][:11]
    return next(j for j in jobs if any(WHY in q["label"] for q in j["questions"]))


async def open_job(browser: Browser, sandbox: Sandbox, job: dict[str, Any]) -> Page:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    page.set_default_timeout(8000)
    await page.goto(job["url"])
    return page


def person(resume: Path) -> Profile:
    base = profile_for(resume, f"ada-{uuid.uuid4().hex[:8]}@example.org")
    prefs = base.preferences.model_copy(update={"remote": True, "salary": None})
    return base.model_copy(update={"preferences": prefs})


async def test_drafted_answers_arrive_with_provenance_llm_and_facts_stay_for_a_person(
    browser: Browser, sandbox: Sandbox, resume_pdf: Path, model_server: ModelServer, caplog: pytest.LogCaptureFixture
) -> None:
    model_server.use(form_answers(overreach=True))
    profile = person(resume_pdf)
    job = careers_job(sandbox)
    page = await open_job(browser, sandbox, job)
    helping = helper(settings(model_server), profile)
    with caplog.at_level(logging.DEBUG):
        report = await agent.fill(page, helping.profile, helping)
    assert report.status == "ready", report.detail
    by_label = {d.record.label: d.resolution for s in report.steps for d in s.filled if d.outcome == "filled"}
    why = next(label for label in by_label if label.startswith(WHY))
    assert by_label[why].provenance == "llm" and "Technical Writer" in (by_label[why].value or "")
    assert by_label["Preferred way of working"].provenance == "llm"
    assert by_label["Preferred way of working"].value == "Remote"
    assert not any(label.startswith("What are your salary") for label in by_label)  # a fact: never the model's
    assert all(res.value != OVERREACH for res in by_label.values())
    sent = await submit(page, report)
    assert sent.status == "submitted", sent
    [record] = sandbox.submissions(site="careers", email=profile.email)
    fields = record["fields"]
    assert fields["work_pattern"] == "Remote"
    assert any("Technical Writer" in str(v) for v in fields.values())
    assert not any(OVERREACH in str(v) for v in fields.values())
    # What our code sent: one call for the step (and one for a question its answers revealed), the
    # askable fields only, nothing of the user's beyond what they need.
    calls = model_server.requests
    assert 1 <= len(calls) <= 2
    assert all(c.headers["x-api-key"] == KEY for c in calls)
    assert calls[0].body["tool_choice"] == {"type": "tool", "name": "answer_fields"}
    assert WHY in calls[0].text and "Preferred way of working" in calls[0].text
    for private in (profile.email, "206 555", "100 Example Street", "98101", "salary", "linkedin.com/in"):
        assert all(private not in json.dumps(c.body["messages"]) for c in calls), private
    assert KEY not in caplog.text
    spent = helping.model.meter.total if helping.model else None
    assert spent is not None and spent.calls == len(calls)
    assert spent.input_tokens + spent.cache_read_input_tokens + spent.cache_creation_input_tokens == sum(
        c.usage["input_tokens"] + c.usage["cache_read_input_tokens"] + c.usage["cache_creation_input_tokens"]
        for c in calls
    )
    assert spent.output_tokens == sum(c.usage["output_tokens"] for c in calls) and spent.usd > 0


async def test_without_the_users_consent_or_a_key_the_model_is_never_called(
    browser: Browser, sandbox: Sandbox, resume_pdf: Path, model_server: ModelServer
) -> None:
    model_server.use(form_answers())
    profile = person(resume_pdf)  # allow_llm is false
    off = agent.for_task(settings(model_server), client(settings(model_server)), profile, None)
    no_key = agent.for_task(LlmSettings(), None, profile, None)
    assert not off.on and not no_key.on
    page = await open_job(browser, sandbox, careers_job(sandbox))
    report = await agent.fill(page, profile, off)
    provenances = {d.resolution.provenance for s in report.steps for d in s.filled}
    assert "llm" not in provenances
    assert model_server.requests == []


async def test_a_rate_limited_model_leaves_the_fields_for_a_person(
    browser: Browser, sandbox: Sandbox, resume_pdf: Path, model_server: ModelServer
) -> None:
    model_server.use(played([Reply.error(429)] * 5))
    page = await open_job(browser, sandbox, careers_job(sandbox))
    helping = helper(settings(model_server), person(resume_pdf))
    report = await agent.fill(page, helping.profile, helping)
    assert "answered 429" in helping.stopped
    assert len(model_server.requests) == 2  # the first try and the client's one retry, then no more
    provenances = {d.resolution.provenance for s in report.steps for d in s.filled}
    assert "llm" not in provenances and report.status == "ready"  # the optional questions stay empty


@pytest.mark.parametrize("status", [529, 500])
async def test_an_overloaded_or_failing_model_is_unavailable_after_the_retries(
    model_server: ModelServer, status: int
) -> None:
    model_server.use(played([Reply.error(status)] * 5))
    config = settings(model_server)
    model = llm.Model(client(config), llm.meter_for(config))
    with pytest.raises(llm.ModelUnavailable, match=f"answered {status}"):
        await model.use_tool("system", "{}", {"name": "answer_fields", "input_schema": {"type": "object"}})
    assert len(model_server.requests) == 2 and model.meter.calls == []


async def test_past_its_budget_the_agent_stops_before_calling(model_server: ModelServer) -> None:
    model_server.use(played([Reply.tool("answer_fields", {"answers": []})] * 3))
    config = LlmSettings(anthropic_api_key=KEY, anthropic_base_url=model_server.url, llm_budget_tokens=50)
    model = llm.Model(client(config), llm.meter_for(config))
    tool = {"name": "answer_fields", "input_schema": {"type": "object"}}
    assert await model.use_tool("system", "x" * 400, tool) == {"answers": []}  # the budget had room
    assert model.meter.total.all_tokens > 50
    with pytest.raises(llm.BudgetExceeded, match="budget 50"):
        await model.use_tool("system", "{}", tool)
    assert len(model_server.requests) == 1  # over budget: no further call
    spent = llm.meter_for(config, model.meter.total)  # the next delivery of the same task
    with pytest.raises(llm.BudgetExceeded):
        spent.check()


async def test_past_its_budget_the_agent_leaves_what_it_would_write_to_a_person_not_blank(
    browser: Browser, sandbox: Sandbox, resume_pdf: Path, model_server: ModelServer
) -> None:
    """An optional free-text question the agent was to write is not sent blank once the budget ran
    out (an application half drafted): the step stops there and asks a person for it."""
    model_server.use(form_answers())
    profile = person(resume_pdf)
    allowed = profile.model_copy(update={"preferences": profile.preferences.model_copy(update={"allow_llm": True})})
    spent = TokenUsage(input_tokens=10_000, calls=3, usd=1.5)  # an earlier delivery spent it all
    config = settings(model_server)
    helping = agent.for_task(config, client(config), allowed, spent)
    page = await open_job(browser, sandbox, careers_job(sandbox))
    report = await agent.fill(page, helping.profile, helping)
    assert model_server.requests == []
    assert report.status == "needs_answers" and WHY in report.detail
    assert "budget $1" in helping.stopped and helping.over_budget
    [(record, res)] = [(r, res) for s in report.steps for r, res in s.unresolved if r.label.startswith(WHY)]
    assert record.required and res.reason.startswith("the agent stopped before writing it: the task spent")
    helping.person_saw = True  # a person let the form go on: it is filled without the draft, not held again
    again = await agent.fill(page, helping.profile, helping)
    assert again.status == "ready" and model_server.requests == []
