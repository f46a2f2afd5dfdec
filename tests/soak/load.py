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

from tests.forms import test_fill_sandbox as forms_answers
from tests.intake.client import PASSWORD
from tests.intake.documents import pdf

ROOT = Path(__file__).resolve().parents[2]
# A free account may start five applications a day: five tasks per person, on five platforms, so
# no account (person, platform) waits out the spacing between two applications.
TASKS_PER_PERSON = 5
TERMINAL = {"COMPLETED", "FAILED", "REJECTED", "CANCELLED", "CLEANUP"}
# Asked as a question by the careers page, not listed among its jobs' questions.
STANDING_ANSWERS = {"Your level of English": "Fluent"}
WAITING_FOR_PERSON = {"HUMAN_TAKEOVER", "NEED_CAPTCHA", "NEED_HUMAN", "NEED_REVIEW"}


def answer_bank(jobs: list[dict[str, Any]]) -> dict[str, str]:
    """What the soak's people have answered before: every question the sandbox's jobs ask that the
    form tests' person answers, so that a task waits for a person for what needs one (a CAPTCHA, a
    sign-in wall, a closed job's shape), not for a blank answer bank."""
    bank = dict(STANDING_ANSWERS)
    for job in jobs:
        for question in job.get("questions", []):
            if question["key"] in forms_answers.ANSWERS:
                bank[question["label"]] = forms_answers.ANSWERS[question["key"]]
            elif question["key"] == "years_skill":
                bank[question["label"]] = "3"
    return bank


async def person(http: httpx.AsyncClient, index: int, bank: dict[str, str]) -> dict[str, str]:
    email = f"soak-{index}-{uuid.uuid4().hex[:8]}@example.org"
    created = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Soak"})
    created.raise_for_status()
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    (await http.post("/api/v1/resumes", headers=auth, files={"file": ("resume.pdf", pdf())})).raise_for_status()
    profile = yaml.safe_load((ROOT / "examples" / "profile.yaml").read_text())
    profile |= {"email": email, "resume": None, "answers": {**profile.get("answers", {}), **bank}}
    profile["preferences"] = {**profile.get("preferences", {}), "earliest_start": "2027-01-04"}
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
    bank = answer_bank(jobs)
    for index, urls in enumerate(spread(jobs, tasks)):
        auth = await person(http, index, bank)
        for url in urls:
            answer = await http.post("/api/v1/tasks", headers=auth, json={"job_url": url})
            answer.raise_for_status()
            accepted.append(answer.json()["task_id"])
    return accepted, {job["site"] for job in jobs}


async def states(dsn: str, task_ids: list[str]) -> dict[str, str]:
    return {t: state for t, (state, _) in (await read_model(dsn, task_ids)).items()}


async def read_model(dsn: str, task_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """(state, outcome) of each task as intake's read model has it."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT task_id::text, state, outcome FROM intake.tasks WHERE task_id = ANY($1::uuid[])", task_ids
        )
    finally:
        await conn.close()
    return {r["task_id"]: (r["state"], r["outcome"]) for r in rows}


FAILURES = ("task.failed", "profile.failed", "application.failed", "human.timeout")


async def failure_reasons(dsn: str, task_ids: list[str]) -> dict[str, int]:
    """Why tasks failed, by the failing event's reason (codes, never personal data)."""
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT event_type || ': ' || coalesce(data->>'reason', '?') AS why, count(*) AS n FROM intake.task_events "
            "WHERE task_id = ANY($1::uuid[]) AND event_type = ANY($2::text[]) GROUP BY 1",
            task_ids,
            list(FAILURES),
        )
    finally:
        await conn.close()
    return {r["why"]: r["n"] for r in rows}


def settled(found: dict[str, str], task_ids: list[str]) -> bool:
    return all(found.get(t) in TERMINAL | WAITING_FOR_PERSON for t in task_ids)


async def submissions(http: httpx.AsyncClient, sandbox_url: str) -> tuple[int, int]:
    """(applications the sandbox received, how many of them repeat one site, job and applicant)."""
    records = (await http.get(f"{sandbox_url}/_admin/submissions")).json()["submissions"]
    seen = Counter((r.get("site"), r.get("job_id"), r.get("email")) for r in records)
    return len(records), sum(n - 1 for n in seen.values() if n > 1)


def summary(
    task_ids: list[str], model: dict[str, tuple[str, str | None]], received: tuple[int, int], faults: Counter[str]
) -> dict[str, Any]:
    found = {t: state for t, (state, _) in model.items()}
    return {
        "tasks": len(task_ids),
        "lost": sum(1 for t in task_ids if t not in found),
        "duplicates": received[1],
        "submitted_to_sandbox": received[0],
        "terminal": sum(1 for t in task_ids if found.get(t) in TERMINAL),
        "waiting_for_person": sum(1 for t in task_ids if found.get(t) in WAITING_FOR_PERSON),
        "unsettled": sum(1 for t in task_ids if t in found and found[t] not in TERMINAL | WAITING_FOR_PERSON),
        "states": dict(Counter(found.values())),
        "outcomes": dict(Counter(str(outcome) for _, outcome in model.values())),
        "faults": dict(faults),
    }
