"""Unknown flows (AGENT_DECIDE): a browser-use agent finds the application form on a site that
neither a template nor the form engine can move through, in the task's own browser.

It attaches to the SAME browser over CDP (the provisioner's; nothing is launched), may only go to
the job's site, has a step limit, sees the user's name and email only as placeholders, may upload
only the resume, and fills nothing: once it reports the form, the form engine fills it. When it
ends, its CDP connection is dropped and the browser keeps running (browser-use is told to keep
it alive, and we never stop it). Its clicks are returned, so the site can be learned (memory.py).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contracts.applications import TokenUsage
from contracts.profile import Profile
from services.executor.llm import BudgetExceeded, Meter, ModelUnavailable, cost
from services.executor.settings import LlmSettings

log = logging.getLogger(__name__)
# What browser-use may do here: move through pages (and type a placeholder or attach the resume
# where a site asks before its form). Everything else (search engines, files, scripts, tabs) is off.
KEPT_ACTIONS = frozenset({"done", "click", "scroll", "go_back", "wait", "input", "upload_file"})
# Our own short system message: browser-use's default one (about 8k tokens) is written for every
# kind of task and is sent on every step; finding a form needs only how to read the page and act.
SYSTEM = (
    "You operate a web browser in steps to reach a job application form. Each step you get the task, "
    "your history and the page's interactive elements as [index]<tag>text. Answer only through the "
    "AgentOutput tool: a short memory, the next goal, and one action (click an element by its index, "
    "scroll, go back, wait, or done). Only use indexes shown on the current page. Never invent data."
)
TASK = (
    "You are on a job page of {site}. Find the way to this job's application form and open it: the page "
    "with fields for the applicant's name, email and CV. Do not fill in or submit anything. As soon as the "
    "application form is on the screen, stop with done and success true. If there is no way to apply, stop "
    "with success false. Where a site asks for the applicant's name or email before the form, type the "
    "placeholders x_first_name, x_last_name, x_email."
)


@dataclass(frozen=True)
class Click:
    """One step of the path to a form, as a person would name it: the element and its words."""

    tag: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {"tag": self.tag, "name": self.name}


@dataclass
class Found:
    reached: bool
    clicks: list[Click] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    detail: str = ""
    over_budget: str = ""  # the budget ran out on the step that reached the form (the way is still learned)


def _quiet() -> None:
    # browser-use reports usage to its makers and syncs to its cloud unless told not to: nothing
    # of an applicant's leaves the machine that way.
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "false")
    os.environ.setdefault("BROWSER_USE_CLOUD_SYNC", "false")


def secrets_of(profile: Profile) -> dict[str, str | dict[str, str]]:
    return {"x_first_name": profile.first_name, "x_last_name": profile.last_name, "x_email": profile.email}


def clicks_of(history: Any) -> list[Click]:
    out: list[Click] = []
    for action in history.model_actions():
        element = action.get("interacted_element")
        if "click" not in action or element is None:
            continue
        name = (getattr(element, "ax_name", None) or "").strip()
        if name:
            out.append(Click(str(element.node_name).lower(), name))
    return out


def _usage(summary: Any) -> TokenUsage:
    """browser-use's usage summary as the provider counted it (its prompt tokens include cache reads)."""
    if summary is None:
        return TokenUsage()
    cached = int(summary.total_prompt_cached_tokens or 0)
    return TokenUsage(
        input_tokens=max(int(summary.total_prompt_tokens or 0) - cached, 0),
        output_tokens=int(summary.total_completion_tokens or 0),
        cache_creation_input_tokens=int(summary.total_prompt_cache_creation_tokens or 0),
        cache_read_input_tokens=cached,
        calls=int(summary.entry_count or 0),
    )


def _tools() -> Any:
    from browser_use import Tools

    every = list(Tools().registry.registry.actions)
    return Tools(exclude_actions=[a for a in every if a not in KEPT_ACTIONS])


async def find_form(
    cdp_url: str, page_url: str, profile: Profile, settings: LlmSettings, meter: Meter, target_id: str | None = None
) -> Found:
    """Run the agent from the task's own tab (`target_id`; an account's browser holds a tab per
    task, and browser-use would otherwise take whichever it found first); whether it reached a form."""
    _quiet()
    import anthropic
    from browser_use import Agent, BrowserSession
    from browser_use.llm import ChatAnthropic

    meter.check()
    key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
    site = urlsplit(page_url).hostname or ""
    session = BrowserSession(cdp_url=cdp_url, keep_alive=True, allowed_domains=[site], highlight_elements=False)
    # browser-use makes a client per call: one connection pool for the run, closed after it.
    http = anthropic.DefaultAsyncHttpxClient(timeout=settings.llm_timeout_s)
    model = ChatAnthropic(
        model=meter.model,
        api_key=key,
        base_url=settings.anthropic_base_url,
        max_retries=settings.llm_max_retries,
        http_client=http,  # browser-use names httpx in its types; anthropic 1.x is on httpx2, as it needs
    )
    agent: Any = Agent(
        task=TASK.format(site=site),
        llm=model,
        browser_session=session,
        tools=_tools(),
        sensitive_data=secrets_of(profile),
        available_file_paths=[profile.resume] if profile.resume else [],
        use_vision=False,
        use_judge=False,
        enable_planning=False,
        directly_open_url=False,
        max_failures=2,
        enable_signal_handler=False,
        override_system_message=SYSTEM,
        flash_mode=True,
        max_actions_per_step=1,
    )
    over = _BudgetWatch(meter)
    try:
        if target_id is not None:
            await session.start()  # connected once: Agent.run finds it connected and keeps the focus
            await session.get_or_create_cdp_session(target_id, focus=True)
        history = await agent.run(max_steps=settings.agent_max_steps, on_step_end=over.step)
    except Exception as exc:  # browser-use wraps the model's errors in its own; any of them ends the try
        log.warning("the agent could not finish: %s", type(exc).__name__)
        return Found(False, detail=f"the agent failed: {type(exc).__name__}")
    finally:
        await agent.close()  # keep_alive: the browser stays
        await _let_go(session)
        await http.aclose()
    usage = _usage(history.usage)
    meter.add(usage)
    found = _found(history, usage)
    if over.stopped and not found.reached:
        raise BudgetExceeded(over.stopped)
    found.over_budget = over.stopped
    return found


# browser-use's watchdogs that run a loop of their own, which only its BrowserStopEvent ends (and
# that event closes the browser, which is the provisioner's). Names as of the pinned browser-use.
LOOPING_WATCHDOGS = ("_crash_watchdog", "_storage_state_watchdog")


async def _let_go(session: Any) -> None:
    """Drop our CDP connection and stop nothing in the browser. The looping watchdogs are cancelled
    first: left running, every agent run would leave two loops behind in the executor, each
    logging an error a minute about a CDP client that is gone."""
    for name in LOOPING_WATCHDOGS:
        task = getattr(getattr(session, name, None), "_monitoring_task", None)
        if task is not None and not task.done():
            task.cancel()
    await session.reset()


@dataclass
class _BudgetWatch:
    """After each step: what the run spent so far, with what the task had spent; past the budget,
    the agent is stopped (browser-use ends the run at its next step)."""

    meter: Meter
    stopped: str = ""

    async def step(self, agent: Any) -> None:
        spent = _usage(await agent.token_cost_service.get_usage_summary())
        trial = Meter(self.meter.model, self.meter.price, self.meter.max_tokens, self.meter.max_usd)
        trial.calls = [*self.meter.calls, spent.model_copy(update={"usd": cost(spent, self.meter.price)})]
        try:
            trial.check()
        except BudgetExceeded as exc:
            self.stopped = str(exc)
            agent.stop()


def _found(history: Any, usage: TokenUsage) -> Found:
    errors = [e for e in history.errors() if e]
    if any("rate" in e.lower() or "429" in e or "overloaded" in e.lower() for e in errors):
        raise ModelUnavailable("the model is rate-limited or overloaded")
    reached = bool(history.is_done() and history.is_successful())
    return Found(reached, clicks_of(history), usage, "" if reached else "the agent found no application form")


__all__ = ["BudgetExceeded", "Click", "Found", "ModelUnavailable", "find_form"]
