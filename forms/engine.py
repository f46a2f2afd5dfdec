"""The engine's entry points on a live page: plan (read and decide, never act)."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.profile import Profile
from forms.decide import decide
from forms.outcomes import challenges
from forms.platforms import GENERIC, MARKER_JS, Platform, by_name, by_url, marker_pairs
from forms.read import read_settled
from forms.records import Draft, PagePlan


async def detect_platform(page: Page) -> Platform:
    known = by_url(page.url)
    if known is not None:
        return known
    try:
        name = await page.evaluate(MARKER_JS, marker_pairs())
    except PlaywrightError:
        return GENERIC
    return by_name(str(name))


async def plan_page(
    page: Page, profile: Profile, *, settle_s: float = 8.0, live: bool = True, draft: Draft | None = None
) -> PagePlan:
    """What would be filled with what and from where, on the page as it is now; with `draft`, what
    the agent would answer of what the profile leaves open."""
    platform = await detect_platform(page)
    records = await read_settled(page, settle_s, live=live)
    decided = decide(records, profile, platform)
    if draft is not None:
        decided = await draft(decided)
    return PagePlan(
        platform=platform.name,
        fields=tuple(decided),
        challenges=await challenges(page),
        url=page.url,
    )
