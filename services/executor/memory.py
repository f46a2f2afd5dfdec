"""A site learned once: the path the agent found to a site's form, and the answers a successful
application confirmed, kept in the executor's own tables (migrations/0004_agent.sql) and replayed
deterministically the next time, with the agent only where the replay fails.

A path is a list of clicks named as a person sees them (a link or button and its words), keyed
by the site and the shape of the job page's path (ids and numbers blurred), so the next job of the
same site takes it too. The answers are the user's own (drafted for them, then sent): they come
back as their answer bank, per user and site, never for anyone else.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.applications import LearnedAnswer
from contracts.profile import BankAnswer, Profile
from services.executor.explore import Click

__all__ = ["Click", "declined_on", "keep_answers", "learn_path", "path_for", "replay", "with_site_answers"]

# A click's element must show within this long on a replay, or the replay has failed.
CLICK_WAIT_MS = 5_000
# Path segments that name one job rather than the kind of page.
_ONE_JOB = re.compile(r"^(?=.*\d)[\w-]+$|^[a-z0-9]+(-[a-z0-9]+){1,}$")
ROLES = {"a": "link", "button": "button"}


def site_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def shape_of(url: str) -> str:
    """/atrium/roles/platform-engineer -> /atrium/roles/*: one path for every job of the kind."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return "/" + "/".join("*" if _ONE_JOB.match(p) and i else p for i, p in enumerate(parts))


async def path_for(db: asyncpg.Pool, url: str) -> list[Click] | None:
    raw = await db.fetchval(
        "SELECT clicks FROM site_paths WHERE site = $1 AND page_shape = $2", site_of(url), shape_of(url)
    )
    return None if raw is None else [Click(c["tag"], c["name"]) for c in json.loads(raw)]


async def learn_path(db: asyncpg.Pool, url: str, clicks: list[Click]) -> None:
    await db.execute(
        "INSERT INTO site_paths (site, page_shape, clicks) VALUES ($1, $2, $3::jsonb) "
        "ON CONFLICT (site, page_shape) DO UPDATE SET clicks = excluded.clicks, learned_at = now(), replays = 0",
        site_of(url),
        shape_of(url),
        json.dumps([c.as_json() for c in clicks]),
    )


async def replayed(db: asyncpg.Pool, url: str) -> None:
    await db.execute(
        "UPDATE site_paths SET replays = replays + 1 WHERE site = $1 AND page_shape = $2", site_of(url), shape_of(url)
    )


async def replay(page: Page, clicks: list[Click]) -> bool:
    """Take the learned path; False where an element is not there (the site changed)."""
    for click in clicks:
        role = ROLES.get(click.tag)
        target = (
            page.get_by_role(role, name=click.name, exact=True)  # type: ignore[arg-type]
            if role
            else page.get_by_text(click.name, exact=True)
        )
        try:
            await target.first.click(timeout=CLICK_WAIT_MS)
            await page.wait_for_load_state("load", timeout=10_000)
        except PlaywrightError:
            return False
    return True


async def keep_answers(
    db: asyncpg.Pool, user_id: UUID, url: str, answers: dict[str, str], declined: frozenset[str] = frozenset()
) -> list[LearnedAnswer]:
    """After a submission: what the model drafted and the site took, as this user's answers; and
    the questions it could not answer from the user's data (asking again would find nothing new).
    Returns what was kept: application.submitted carries it to the user's export (intake)."""
    site = site_of(url)
    kept = [LearnedAnswer(site=site, label=k, answer=v, provenance="llm") for k, v in answers.items() if v.strip()]
    kept += [
        LearnedAnswer(site=site, label=label, answer="", provenance="declined")
        for label in sorted(declined)
        if label not in answers
    ]
    await db.executemany(
        "INSERT INTO site_answers (user_id, site, label, answer, provenance) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (user_id, site, label) DO UPDATE SET answer = excluded.answer, "
        "provenance = excluded.provenance, learned_at = now()",
        [(user_id, k.site, k.label, k.answer, k.provenance) for k in kept],
    )
    return kept


async def with_site_answers(db: asyncpg.Pool, user_id: UUID, url: str, profile: Profile) -> Profile:
    """The profile with the answers this user's earlier applications to the site confirmed (the
    user's own bank wins where it answers the same question)."""
    rows = await db.fetch(
        "SELECT label, answer, learned_at FROM site_answers WHERE user_id = $1 AND site = $2 AND provenance = 'llm'",
        user_id,
        site_of(url),
    )
    learned = {
        r["label"]: BankAnswer(answer=r["answer"], provenance="llm", saved_at=r["learned_at"].astimezone(UTC))
        for r in rows
        if r["label"] not in profile.answers
    }
    return profile.model_copy(update={"answers": {**learned, **profile.answers}}) if learned else profile


async def declined_on(db: asyncpg.Pool, user_id: UUID, url: str) -> set[str]:
    """The questions of the site the model could not answer for this user last time."""
    rows = await db.fetch(
        "SELECT label FROM site_answers WHERE user_id = $1 AND site = $2 AND provenance = 'declined'",
        user_id,
        site_of(url),
    )
    return {r["label"] for r in rows}
