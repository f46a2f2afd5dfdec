"""An unknown multi-step site (the sandbox's Atrium Labs): the browser-use agent finds the form in
the task's own browser over CDP, the form engine fills it, the site is learned; the second
application to the site replays the path and the user's confirmed answers and costs no tokens."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from autoapply.local.chromium import ChromiumServer
from bench._browsing import explorer
from bench._model import ModelServer, Reply, played
from bench._scripts import form_answers
from contracts.profile import Preferences, Profile
from forms.fill import submit
from runtime import db
from services.executor import agent, llm, memory, unknown
from services.executor.settings import LlmSettings
from tests.agent.test_answers import KEY
from tests.sandbox.harness import Sandbox

if TYPE_CHECKING:  # the SDK takes a second and a half to import; every xdist worker collects this
    import anthropic

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]
MIGRATIONS = Path(agent.__file__).parent / "migrations"


@pytest_asyncio.fixture(loop_scope="package")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    made = await db.create_pool(fresh_database, "executor")
    await db.migrate(made, "executor", MIGRATIONS)
    try:
        yield made
    finally:
        await made.close()


def applicant(resume: Path) -> Profile:
    return Profile(
        first_name="Ada",
        last_name="Example",
        email=f"ada-{uuid.uuid4().hex[:8]}@example.org",
        phone="+1 206 555 0100",
        current_title="Technical Writer",
        resume=str(resume),
        preferences=Preferences(allow_llm=True),
    )


def watchdog_loops() -> list[str]:
    """browser-use's watchdog loops still running in this event loop."""
    running = [t for t in asyncio.all_tasks() if not t.done()]
    names = [getattr(t.get_coro(), "__qualname__", "") for t in running]
    return [n for n in names if "Watchdog." in n and "monitor" in n.lower()]


async def test_the_agent_finds_the_form_once_and_the_second_application_costs_no_tokens(
    sandbox: Sandbox,
    resume_pdf: Path,
    model_server: ModelServer,
    pool: asyncpg.Pool,
    chromium_server_factory: Callable[..., ChromiumServer],
) -> None:
    chrome = chromium_server_factory()
    config = LlmSettings(anthropic_api_key=KEY, anthropic_base_url=model_server.url, llm_budget_usd=1.0)
    client = llm.client_for(config)
    profile = applicant(resume_pdf)
    user = uuid.uuid4()
    explore_then_answer = explorer()
    answers = form_answers()

    def script(body: dict[str, object]) -> Reply:
        is_ours = any(t.get("name") == "answer_fields" for t in body.get("tools", []))  # type: ignore[attr-defined]
        return answers(body) if is_ours else explore_then_answer(body)

    model_server.use(script)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(chrome.url)
            page = browser.contexts[0].pages[0]
            first = f"{sandbox.http}/atrium/roles/platform-engineer"
            await page.goto(first)
            helper = agent.for_task(config, client, profile, None)
            where = unknown.Where(page, pool, chrome.url, config)
            assert await unknown.reach_form(where, helper) == "agent"
            assert page.url.startswith(f"{sandbox.http}/atrium/roles/platform-engineer/details")
            assert browser.is_connected() and not page.is_closed()  # nobody closed the task's browser
            assert not watchdog_loops()  # and browser-use left no loop of its own behind in the executor
            report = await agent.fill(page, helper.profile, helper)
            assert report.status == "ready", report.detail
            sent = await submit(page, report)
            assert sent.status == "submitted", sent
            await memory.keep_answers(pool, user, first, helper.drafted)
            spent = helper.model.meter.total if helper.model else None
            assert spent is not None and spent.all_tokens > 0 and spent.calls >= 2
            browsing = [r for r in model_server.requests if r.body["tool_choice"]["name"] == "AgentOutput"]
            assert browsing and all(profile.email not in r.text and "206 555" not in r.text for r in browsing)
            assert all(KEY not in json.dumps(r.body) for r in model_server.requests)
            assert "x_email" in browsing[0].text  # the agent knows the placeholder, not the address
            [record] = sandbox.submissions(site="atrium", email=profile.email)
            assert record["fields"]["given"] == "Ada" and "Technical Writer" in record["fields"]["drawn"]

            # The second application to the site: a model that would fail every call, and no call made.
            model_server.use(played([Reply.error(500)] * 20))
            second = f"{sandbox.http}/atrium/roles/data-analyst"
            await page.goto(second)
            again_profile = await memory.with_site_answers(pool, user, second, profile)
            again = agent.for_task(config, client, again_profile, None)
            where = unknown.Where(page, pool, chrome.url, config)
            assert await unknown.reach_form(where, again) == "replay"
            report = await agent.fill(page, again.profile, again)
            assert report.status == "ready", report.detail
            drawn = next(d for s in report.steps for d in s.filled if d.record.label == "What draws you to Atrium?")
            assert drawn.resolution.provenance == "llm"  # the user's confirmed draft, from the site memory
            assert (await submit(page, report)).status == "submitted"
            assert model_server.requests == []
            assert again.model is not None and again.model.meter.total.all_tokens == 0
            assert len(sandbox.submissions(site="atrium", email=profile.email)) == 2
            await browser.close()
        assert chrome.healthy()  # the browser is still running: only the provisioner stops it
    finally:
        await client.close()


async def test_a_site_path_that_no_longer_leads_anywhere_falls_back_to_the_agent(
    sandbox: Sandbox, pool: asyncpg.Pool, model_server: ModelServer, resume_pdf: Path, browser: Browser
) -> None:
    url = f"{sandbox.http}/atrium/roles/product-designer"
    await memory.learn_path(pool, url, [memory.Click("a", "A link the site removed")])
    model_server.use(played([Reply.error(429)] * 10))
    config = LlmSettings(anthropic_api_key=KEY, anthropic_base_url=model_server.url, llm_budget_usd=1.0)
    client: anthropic.AsyncAnthropic = llm.client_for(config)
    page = await browser.new_page()
    await page.goto(url)
    helper = agent.for_task(config, client, applicant(resume_pdf), None)
    # No CDP endpoint here: the agent cannot run, so the form stays out of reach, for a person.
    assert await unknown.reach_form(unknown.Where(page, pool, None, config), helper) == ""
    assert page.url == url
    await page.close()
    await client.close()
    assert memory.shape_of(url) == "/atrium/roles/*"
