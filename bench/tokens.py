"""`./dev bench tokens`: the model's input tokens per application, ours against a plain browser-use agent.

Two sites: the sandbox's careers page (a form the engine reads; the model only drafts the free-text
questions) and Atrium Labs (an unfamiliar multi-step site: our agent finds the form, the engine
fills it). The baseline is a plain browser-use Agent that does the whole application itself, on a
job of the same site, field by field. Both talk to the same local Messages API server with the
same counting rule (bench/_model.py); the scripted models are bench/_scripts.py (our answers
call) and bench/_browsing.py (browser-use's steps). Then the second application to each site,
with what the first one taught (the path, the user's confirmed answers). The last line is JSON.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import anthropic
import asyncpg
from playwright.async_api import Page, async_playwright

from autoapply.local import PostgresServer
from autoapply.local.chromium import ChromiumServer
from bench._browsing import Element, applicant, explorer
from bench._model import ModelServer, Reply, Script
from bench._report import emit
from bench._scripts import form_answers
from contracts.profile import Profile
from forms.fill import submit
from runtime import db
from services.executor import agent, explore, llm, memory, unknown
from services.executor.settings import LlmSettings
from tests.forms.test_fill_sandbox import profile_for
from tests.sandbox.harness import Sandbox, make_pdf, start_sandbox, stop_sandbox

MIGRATIONS = Path(agent.__file__).parent / "migrations"
KEY = "sk-ant-bench-" + "0" * 24
BASELINE_STEPS = 25
WHY = "Why do you want to work at"
ATRIUM = ("platform-engineer", "product-designer", "data-analyst")
# What the baseline types, by the words before a field (its label) or its name.
VALUES = (
    (("first", "given"), "Ada"),
    (("surname", "last", "family"), "Example"),
    (("email", "mail"), "{email}"),
    (("phone", "tel"), "+1 206 555 0100"),
    (("notice",), "2 weeks"),
    (("start date",), "2027-01-04"),
    (("hear",), "Company website"),
    (("why", "draws", "cover"), "I would like to bring my writing to your team."),
    (("agree", "consent"), "check"),
)


def person(resume: Path) -> Profile:
    """The test suite's made-up candidate (who answers the careers page's questions), allowing drafts."""
    base = profile_for(resume, f"ada-{uuid.uuid4().hex[:8]}@example.org")
    prefs = base.preferences.model_copy(update={"allow_llm": True, "remote": True})
    return base.model_copy(update={"preferences": prefs})


def value_of(email: str) -> Any:
    def pick(e: Element) -> str | None:
        words = f"{e.label} {e.attr('name')} {e.attr('id')}".lower()
        for hints, value in VALUES:
            if any(h in words for h in hints):
                return value.format(email=email)
        return None

    return pick


def script(ours: Script, browsing: Script) -> Script:
    def answer(body: dict[str, Any]) -> Reply:
        is_ours = any(t.get("name") == "answer_fields" for t in body.get("tools", []))
        return ours(body) if is_ours else browsing(body)

    return answer


async def careers_job(sandbox: Sandbox, index: int) -> str:
    jobs = sandbox.get("/_admin/jobs", site="careers")["jobs"][:11]
    asking = [j for j in jobs if any(WHY in q["label"] for q in j["questions"])]
    return str(asking[index % len(asking)]["url"])


async def ours(page: Page, url: str, pool: asyncpg.Pool, cdp: str, config: LlmSettings, who: Profile) -> str:
    """One application our way; what reached the form and what the site said."""
    client = llm.client_for(config)
    try:
        await page.goto(url)
        profile = await memory.with_site_answers(pool, USER, url, who)
        helper = agent.for_task(config, client, profile, None)
        helper.declined |= await memory.declined_on(pool, USER, url)
        reached = await unknown.reach_form(unknown.Where(page, pool, cdp, config), helper)
        report = await agent.fill(page, helper.profile, helper)
        sent = await submit(page, report) if report.status == "ready" else None
        if sent is not None and sent.status == "submitted":
            await memory.keep_answers(pool, USER, url, helper.drafted, frozenset(helper.declined))
        return f"{reached or 'no form'}, {sent.status if sent else report.status}"
    finally:
        await client.close()


async def plain_browser_use(cdp: str, page: Page, url: str, config: LlmSettings, who: Profile) -> bool:
    """A plain browser-use Agent doing the whole application on the same browser and model server."""
    explore._quiet()
    from browser_use import Agent, BrowserSession
    from browser_use.llm import ChatAnthropic

    await page.goto(url)
    http = anthropic.DefaultAsyncHttpxClient()
    session = BrowserSession(cdp_url=cdp, keep_alive=True, allowed_domains=["127.0.0.1"])
    model = ChatAnthropic(
        model=config.llm_model,
        api_key=KEY,
        base_url=config.anthropic_base_url,
        http_client=http,  # browser-use names httpx in its types; anthropic 1.x is on httpx2, as it needs
    )
    task = f"Apply to this job as {who.first_name} {who.last_name} ({who.email}), attaching the CV; submit it."
    runner: Any = Agent(
        task=task,
        llm=model,
        browser_session=session,
        available_file_paths=[str(who.resume)],
        use_vision=False,
        use_judge=False,
        directly_open_url=False,
        enable_signal_handler=False,
    )
    try:
        history = await runner.run(max_steps=BASELINE_STEPS)
        return bool(history.is_successful())
    finally:
        await runner.close()
        await session.reset()
        await http.aclose()


USER = uuid.uuid4()


async def measure(sandbox: Sandbox, pool: asyncpg.Pool, chrome: ChromiumServer, server: ModelServer) -> dict[str, Any]:
    resume = Path(tempfile.mkdtemp(prefix="bench-tokens-")) / "Ada_Example_Resume.pdf"
    resume.write_bytes(make_pdf("Ada Example - Resume"))
    config = LlmSettings(anthropic_api_key=KEY, anthropic_base_url=server.url, llm_budget_usd=5.0)
    who = person(resume)
    figures: dict[str, Any] = {"sites": {}}
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(chrome.url)
        page = browser.contexts[0].pages[0]
        page.set_default_timeout(10_000)
        sites = {
            "careers": [await careers_job(sandbox, i) for i in range(3)],
            "atrium": [f"{sandbox.http}/atrium/roles/{slug}" for slug in ATRIUM],
        }
        for site, (first, second, baseline) in sites.items():
            row: dict[str, Any] = {}
            server.use(script(form_answers(), explorer()))
            began = time.monotonic()
            row["ours_outcome"] = await ours(page, first, pool, chrome.url, config, who)
            row["ours_input_tokens"], row["ours_calls"] = server.input_tokens(), len(server.requests)
            row["ours_s"] = round(time.monotonic() - began, 2)
            server.use(script(form_answers(), explorer()))
            row["second_outcome"] = await ours(page, second, pool, chrome.url, config, who)
            row["second_visit_input_tokens"] = server.input_tokens()
            baseline_who = who.model_copy(update={"email": f"ada-{uuid.uuid4().hex[:8]}@example.org"})
            server.use(script(form_answers(), applicant(value_of(baseline_who.email), str(resume))))
            row["browser_use_completed"] = await plain_browser_use(chrome.url, page, baseline, config, baseline_who)
            row["browser_use_input_tokens"], row["browser_use_calls"] = server.input_tokens(), len(server.requests)
            figures["sites"][site] = row
        await browser.close()
    rows = figures["sites"].values()
    figures["ours_input_tokens"] = sum(r["ours_input_tokens"] for r in rows)
    figures["browser_use_input_tokens"] = sum(r["browser_use_input_tokens"] for r in rows)
    figures["second_visit_input_tokens"] = sum(r["second_visit_input_tokens"] for r in rows)
    ours_total = max(figures["ours_input_tokens"], 1)
    figures["ratio"] = round(figures["browser_use_input_tokens"] / ours_total, 1)
    return figures


async def run(folder: Path) -> dict[str, Any]:
    sandbox = start_sandbox(folder / "sandbox")
    server = ModelServer().start()
    try:
        with (
            PostgresServer(folder / "pg", settings={"fsync": "off"}) as pg,
            ChromiumServer(folder / "chrome") as chrome,
        ):
            pool = await db.create_pool(pg.ensure_database("bench_tokens"), "executor")
            try:
                await db.migrate(pool, "executor", MIGRATIONS)
                return await measure(sandbox, pool, chrome, server)
            finally:
                await pool.close()
    finally:
        server.stop()
        sandbox.client.close()
        stop_sandbox(sandbox.proc)


def table(figures: dict[str, Any]) -> str:
    rows = [f"{'site':<8} {'ours':>8} {'calls':>5} {'browser-use':>12} {'calls':>5} {'done':>5} {'2nd visit':>9}"]
    for site, r in figures["sites"].items():
        rows.append(
            f"{site:<8} {r['ours_input_tokens']:>8} {r['ours_calls']:>5} {r['browser_use_input_tokens']:>12} "
            f"{r['browser_use_calls']:>5} {r['browser_use_completed']!s:>5} {r['second_visit_input_tokens']:>9}"
            f"   ours: {r['ours_outcome']}; second: {r['second_outcome']}"
        )
    rows.append(f"ratio {figures['ratio']}x fewer input tokens (ours {figures['ours_input_tokens']})")
    return "\n".join(rows)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-tokens-") as folder:
        os.chmod(folder, 0o755)  # PostgreSQL runs as its own user and must reach its data folder
        result = asyncio.run(run(Path(folder)))
    print(table(result))
    emit(result)


if __name__ == "__main__":
    main()
