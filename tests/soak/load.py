"""The soak's load: made-up people with a profile and a resume, tasks over every sandbox platform,
and the counts at the end (read model, sandbox submissions, dead letters)."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml

from tests.intake.client import PASSWORD
from tests.intake.documents import pdf

ROOT = Path(__file__).resolve().parents[2]
# A free account may start five applications a day: five tasks per person, on five platforms, so
# no account (person, platform) waits out the spacing between two applications.
TASKS_PER_PERSON = 5
TERMINAL = {"COMPLETED", "FAILED", "REJECTED", "CANCELLED", "CLEANUP"}
WAITING_FOR_PERSON = {"HUMAN_TAKEOVER", "NEED_CAPTCHA", "NEED_HUMAN", "NEED_REVIEW"}


async def person(http: httpx.AsyncClient, index: int) -> dict[str, str]:
    email = f"soak-{index}-{uuid.uuid4().hex[:8]}@example.org"
    created = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Soak"})
    created.raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    (await http.post("/api/v1/resumes", headers=auth, files={"file": ("resume.pdf", pdf())})).raise_for_status()
    profile = yaml.safe_load((ROOT / "examples" / "profile.yaml").read_text())
    profile |= {"email": email, "resume": None}
    (await http.put("/api/v1/profile", headers=auth, json=profile)).raise_for_status()
    return auth


def spread(jobs: list[dict[str, Any]], tasks: int) -> list[list[str]]:
    """Job URLs per person: every platform in turn, no person twice on one platform."""
    by_site: dict[str, list[str]] = {}
    for job in jobs:
        by_site.setdefault(job["site"], []).append(job["url"])
    sites = sorted(by_site)
    people: list[list[str]] = []
    for n in range(tasks):
        if n % TASKS_PER_PERSON == 0:
            people.append([])
        site = sites[(n // TASKS_PER_PERSON + n) % len(sites)]
        people[-1].append(by_site[site][n % len(by_site[site])])
    return people


async def submit(http: httpx.AsyncClient, sandbox_url: str, tasks: int) -> tuple[list[str], set[str]]:
    jobs = (await http.get(f"{sandbox_url}/_admin/jobs")).json()["jobs"]
    accepted: list[str] = []
    for index, urls in enumerate(spread(jobs, tasks)):
        auth = await person(http, index)
        for url in urls:
            answer = await http.post("/api/v1/tasks", headers=auth, json={"job_url": url})
            answer.raise_for_status()
            accepted.append(answer.json()["task_id"])
    return accepted, {job["site"] for job in jobs}


async def states(dsn: str, task_ids: list[str]) -> dict[str, str]:
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT task_id::text, state FROM intake.tasks WHERE task_id = ANY($1::uuid[])", task_ids
        )
    finally:
        await conn.close()
    return {r["task_id"]: r["state"] for r in rows}


def settled(found: dict[str, str], task_ids: list[str]) -> bool:
    return all(found.get(t) in TERMINAL | WAITING_FOR_PERSON for t in task_ids)


async def duplicates(http: httpx.AsyncClient, sandbox_url: str) -> int:
    """Applications the sandbox received more than once for one (site, job, applicant)."""
    records = (await http.get(f"{sandbox_url}/_admin/submissions")).json()["submissions"]
    seen = Counter((r.get("site"), r.get("job_id"), r.get("email")) for r in records)
    return sum(n - 1 for n in seen.values() if n > 1)


def summary(task_ids: list[str], found: dict[str, str], dupes: int, faults: Counter[str]) -> dict[str, Any]:
    return {
        "tasks": len(task_ids),
        "lost": sum(1 for t in task_ids if t not in found),
        "duplicates": dupes,
        "terminal": sum(1 for t in task_ids if found.get(t) in TERMINAL),
        "waiting_for_person": sum(1 for t in task_ids if found.get(t) in WAITING_FOR_PERSON),
        "unsettled": sum(1 for t in task_ids if t in found and found[t] not in TERMINAL | WAITING_FOR_PERSON),
        "states": dict(Counter(found.values())),
        "faults": dict(faults),
    }
