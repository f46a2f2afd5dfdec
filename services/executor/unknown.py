"""A page neither a template nor the form engine can move through: the learned path, else the agent.

The form engine opens a form itself where the page shows one or a known Apply button. Where it
shows neither, the path learned on an earlier visit to the site is replayed (no model, no
tokens); only where there is none, or it no longer leads to a form, does the agent look for the
way (explore.py), and what it found is learned for the next time.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from playwright.async_api import Page

from forms.decide import questions
from forms.engine import detect_platform
from forms.fill import visible_button
from forms.read import read_settled
from services.executor import explore, memory
from services.executor.llm import BudgetExceeded, ModelUnavailable

if TYPE_CHECKING:
    from services.executor.flow import Flow

log = logging.getLogger(__name__)
# A job page that draws its form late is given this long before it counts as formless.
SETTLE_S = 1.5


async def engine_can(page: Page) -> bool:
    """The page shows a form's questions, or a button the engine opens one with."""
    platform = await detect_platform(page)
    if questions(await read_settled(page, SETTLE_S), platform):
        return True
    return bool(platform.open_form) and await visible_button(page, platform.open_form) is not None


async def reach_form(flow: Flow) -> str:
    """How the form was reached: "page" (it was there), "replay", "agent", or "" (it was not)."""
    page, db, url = flow.page, flow.run.x.db, flow.page.url
    if await engine_can(page):
        return "page"
    learned = await memory.path_for(db, url)
    if learned and await memory.replay(page, learned) and await engine_can(page):
        await memory.replayed(db, url)
        return "replay"
    if learned:
        await page.goto(url, wait_until="load")  # the site changed: the agent starts from the job page
    return await _explore(flow, url)


async def _explore(flow: Flow, url: str) -> str:
    helper, run = flow.agent, flow.run
    if helper.model is None or not helper.on or run.task.cdp_url is None:
        return ""
    await run.progress(run.state, step="agent", detail="finding the application form")
    try:
        found = await explore.find_form(run.task.cdp_url, url, helper.profile, run.x.settings, helper.model.meter)
    except (ModelUnavailable, BudgetExceeded) as exc:
        helper.stopped = str(exc)
        return ""
    if not found.reached or not await engine_can(flow.page):
        helper.stopped = helper.stopped or found.detail
        return ""
    await memory.learn_path(run.x.db, url, found.clicks)
    return "agent"
