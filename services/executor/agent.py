"""The seam where the agent (an LLM that drafts free-text answers, where the user allows it) joins.

Today the form engine alone fills a page no template knows, and AGENT_* steps fall back to it.
The agent issue replaces `fill` with a call that lets the LLM answer what the engine left open.
"""

from playwright.async_api import Page

from contracts.profile import Profile
from forms.fill import FormReport, fill_form


async def fill(page: Page, profile: Profile, llm_allowed: bool) -> FormReport:
    """Fill every step of the form up to its final Submit (not clicked)."""
    return await fill_form(page, profile)
