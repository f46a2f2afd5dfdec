"""Recognising what stops a form: each a named outcome (forms.records.Challenge)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from forms.records import Challenge

OUTCOMES_JS = resources.files("forms").joinpath("outcomes.js").read_text(encoding="utf-8")


async def challenges(page: Page) -> tuple[Challenge, ...]:
    """The challenges the page shows now, main frame first, then same-page frames."""
    seen: dict[str, Challenge] = {}
    for frame in page.frames:
        if frame != page.main_frame and "captcha" in (frame.url or "").lower():
            continue  # the challenge's own frame is judged from outside, by its size
        try:
            raw: list[dict[str, Any]] = await frame.evaluate(OUTCOMES_JS)
        except PlaywrightError:
            continue
        for item in raw:
            seen.setdefault(str(item["kind"]), Challenge(item["kind"], str(item.get("detail") or "")))
    return tuple(seen.values())
