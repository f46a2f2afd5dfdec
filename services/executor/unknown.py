"""A page neither a template nor the form engine can move through: the learned path, else the agent.

The form engine opens a form itself where the page shows one or a known Apply button. Where it
shows neither, the path learned on an earlier visit to the site is replayed (no model, no
tokens); only where there is none, or it no longer leads to a form, does the agent look for the
way (explore.py), and what it found is learned for the next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg
from playwright.async_api import Page

from forms.decide import questions
from forms.engine import detect_platform
from forms.fill import visible_button
from forms.read import read_settled
from services.executor import explore, memory
from services.executor.agent import Agent
from services.executor.browser import target_of
from services.executor.llm import BudgetExceeded, ModelUnavailable
from services.executor.settings import LlmSettings

log = logging.getLogger(__name__)
# A job page that draws its form late is given this long before it counts as formless.
SETTLE_S = 1.5


async def engine_can(page: Page) -> bool:
    """The page shows a form's questions, or a button the engine opens one with."""
    platform = await detect_platform(page)
    if questions(await read_settled(page, SETTLE_S), platform):
        return True
    return bool(platform.open_form) and await visible_button(page, platform.open_form) is not None


@dataclass(frozen=True)
class Where:
    """What finding the form needs of the task: its page and browser, the executor's tables."""

    page: Page
    db: asyncpg.Pool
    cdp_url: str | None
    settings: LlmSettings


async def reach_form(where: Where, helper: Agent) -> str:
    """How the form was reached: "page" (it was there), "replay", "agent", or "" (it was not)."""
    page, db, url = where.page, where.db, where.page.url
    if await engine_can(page):
        return "page"
    learned = await memory.path_for(db, url)
    if learned and await memory.replay(page, learned) and await engine_can(page):
        await memory.replayed(db, url)
        return "replay"
    if learned:
        await page.goto(url, wait_until="load")  # the site changed: the agent starts from the job page
    return await _explore(where, helper, url)


async def _explore(where: Where, helper: Agent, url: str) -> str:
    if helper.model is None or not helper.on or where.cdp_url is None:
        return ""
    try:
        tab = await target_of(where.page)
        found = await explore.find_form(where.cdp_url, url, helper.profile, where.settings, helper.model.meter, tab)
    except (ModelUnavailable, BudgetExceeded) as exc:
        helper.stop(exc)
        return ""
    if not found.reached or not await engine_can(where.page):
        helper.stopped = helper.stopped or found.detail
        return ""
    await memory.learn_path(where.db, url, found.clicks)
    if found.over_budget:  # the form is reached, but what the model would write there goes to a person
        helper.stop(BudgetExceeded(found.over_budget))
    return "agent"
