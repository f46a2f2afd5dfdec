"""The seam where the agent joins the form engine: the model answers what the profile left open.

After the engine decided a step, the fields nobody answered go to the model in one call (only
those it may answer, with only the profile parts they need: drafts.py). Its answers are filled
with provenance llm; whatever it may not or did not answer stays for a person. Off (no model)
unless the user allowed it and a key is configured; then the engine alone fills, as before.
A model that is down, rate-limited or over the task's budget stops helping: the fields it would
have answered go to a person (human.needed says why), never a stuck task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.applications import TokenUsage
from contracts.profile import Profile
from forms.fill import FormReport, fill_form
from forms.records import FieldRecord, Resolution
from services.executor import drafts
from services.executor.llm import BudgetExceeded, Model, ModelUnavailable, meter_for
from services.executor.settings import LlmSettings

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger(__name__)
Decided = list[tuple[FieldRecord, Resolution]]
TITLE_CHARS = 120


@dataclass
class Agent:
    """One task's use of the model (None: off). `stopped` says why it stopped helping, if it did."""

    model: Model | None
    profile: Profile
    job: dict[str, str] = field(default_factory=dict)
    stopped: str = ""
    drafted: dict[str, str] = field(default_factory=dict)  # label -> value the model wrote or chose
    declined: set[str] = field(default_factory=set)  # labels the model left out: not asked again on the site
    over_budget: bool = False  # stopped by the task's budget: what it would have written goes to a person
    person_saw: bool = False  # a person let the form go on as it was (resolved, approved): no holding again

    @property
    def on(self) -> bool:
        return self.model is not None and not self.stopped

    def stop(self, exc: ModelUnavailable | BudgetExceeded) -> None:
        self.stopped = str(exc)
        self.over_budget = self.over_budget or isinstance(exc, BudgetExceeded)
        log.warning("the agent stopped: %s", exc)

    async def draft(self, decided: Decided) -> Decided:
        asks = drafts.askable([(r, res) for r, res in decided if not res.resolved and r.label not in self.declined])
        if asks and self.over_budget and not self.person_saw:
            return held(decided, asks, self.stopped)
        if not asks or not self.on or self.model is None:
            return decided
        context = drafts.context_for(self.profile, asks, self.job)
        try:
            reply = await self.model.use_tool(drafts.SYSTEM, drafts.prompt(asks, context), drafts.tool(asks))
        except (ModelUnavailable, BudgetExceeded) as exc:
            self.stop(exc)
            return held(decided, asks, self.stopped) if self.over_budget else decided
        taken = drafts.accept(asks, reply, context)
        self.drafted |= {r.label: taken[r.handle].value or "" for r, _ in decided if r.handle in taken}
        self.declined |= {a.record.label for a in asks if a.record.handle not in taken}
        return [(r, taken.get(r.handle, res)) for r, res in decided]


def held(decided: Decided, asks: list[drafts.Ask], why: str) -> Decided:
    """The budget stopped the agent before it wrote these: an empty one is not left blank (an
    application sent half-drafted) but asked of a person, as a required question of this step."""
    empty = {a.record.handle for a in asks if not a.record.value.strip()}
    reason = f"the agent stopped before writing it: {why}"
    out: Decided = []
    for record, res in decided:
        if record.handle in empty:
            record, res = replace(record, required=True), replace(res, reason=reason)
        out.append((record, res))
    return out


def for_task(
    settings: LlmSettings, client: anthropic.AsyncAnthropic | None, profile: Profile, spent: TokenUsage | None
) -> Agent:
    """The task's agent: on only where a key is configured and the user allowed it."""
    if client is None or not profile.preferences.allow_llm:
        return Agent(None, profile)
    return Agent(Model(client, meter_for(settings, spent, profile.preferences.llm_budget_usd)), profile)


async def job_of(page: Page) -> dict[str, str]:
    """What the model may know of the job: the page's title and the site (nothing of the user's)."""
    try:
        title = (await page.title())[:TITLE_CHARS]
    except PlaywrightError:
        title = ""
    return {"page_title": title, "site": urlsplit(page.url).hostname or ""}


async def fill(page: Page, profile: Profile, agent: Agent | None = None) -> FormReport:
    """Fill every step of the form up to its final Submit (not clicked)."""
    if agent is None or not agent.on:
        return await fill_form(page, profile)
    if not agent.job:
        agent.job = await job_of(page)
    return await fill_form(page, profile, draft=agent.draft)
