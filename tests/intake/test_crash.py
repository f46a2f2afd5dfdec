"""Killing intake (SIGKILL) while it accepts tasks loses none and queues none twice.

Requests are sent concurrently while intake is killed and restarted; a request that got no answer
is sent again afterwards, as a client would. Then: every accepted task has its row and exactly one
task.queued on the stream, every job has one task, and the stream holds nothing else.
"""

import asyncio
import random
import signal

import asyncpg
import httpx
import pytest

from tests.intake.bus import queued_counts
from tests.intake.client import as_sql, ready_user
from tests.intake.conftest import start_intake
from tests.processes import Child
from tests.support import eventually

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]
USERS, JOBS_PER_USER, KILLS = 3, 40, 3
SPREAD_S = 0.25  # each round's requests are sent over this long


class Answered:
    """Counts answers, so the kill lands while some requests are answered and others in flight."""

    def __init__(self, kill_after: int) -> None:
        self.count, self.kill_after, self.enough = 0, kill_after, asyncio.Event()

    def one(self) -> None:
        self.count += 1
        if self.count >= self.kill_after:
            self.enough.set()


async def send(
    client: httpx.AsyncClient,
    url: str,
    auth: dict[str, str],
    job: str,
    answered: Answered | None = None,
    after_s: float = 0.0,
) -> tuple[int, str | None]:
    await asyncio.sleep(after_s)
    try:
        answer = await client.post(f"{url}/api/v1/tasks", headers=auth, json={"job_url": job}, timeout=10)
    except httpx.TransportError:
        return 0, None  # no answer: accepted or not, the client cannot tell
    if answered:
        answered.one()
    body = answer.json()
    return answer.status_code, body.get("task_id") or body.get("existing_task_id")


async def test_sigkill_while_accepting_loses_nothing_and_queues_nothing_twice(intake_servers: dict[str, str]) -> None:
    child = await start_intake(intake_servers)
    url = f"http://127.0.0.1:{child.env['AUTOAPPLY_HTTP_PORT']}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            users = [await ready_user(http) for _ in range(USERS)]
        for user, _ in users:
            await as_sql(intake_servers["dsn"], "UPDATE users SET plan = 'pro' WHERE email = $1", user.email)
        jobs = [
            (user, f"https://jobs.example.org/crash/{i}/{n}")
            for i, (user, _) in enumerate(users)
            for n in range(JOBS_PER_USER)
        ]
        random.shuffle(jobs)
        results: dict[str, tuple[int, str | None]] = {}
        async with httpx.AsyncClient() as client:
            for round_jobs in (jobs[k::KILLS] for k in range(KILLS)):
                # The requests come as a stream over SPREAD_S, not in one burst: a burst is answered in
                # one batch (group commit), all at once, and a kill after its answers would find
                # nothing in flight. In a stream, the kill halfway lands on requests inside their
                # transaction, requests on their way and requests not yet sent.
                answered = Answered(kill_after=len(round_jobs) // 2)
                killer = asyncio.create_task(kill_when(child, answered))
                answers = await asyncio.gather(
                    *(send(client, url, u.auth, j, answered, random.uniform(0, SPREAD_S)) for u, j in round_jobs)
                )
                await killer
                results.update({j: a for (_, j), a in zip(round_jobs, answers, strict=True)})
                child.stop()
                child = await start_intake(intake_servers)
                url = f"http://127.0.0.1:{child.env['AUTOAPPLY_HTTP_PORT']}"
            unanswered = [(u, j) for u, j in jobs if results[j][0] not in (201, 409)]
            retried = await asyncio.gather(*(send(client, url, u.auth, j) for u, j in unanswered))
        results.update({j: a for (_, j), a in zip(unanswered, retried, strict=True)})
        rows = await task_rows(intake_servers["dsn"])
        await eventually(lambda: drained(intake_servers["dsn"]), timeout_s=60)
        counts = await queued_counts(intake_servers["nats"])
    finally:
        child.stop()
    assert {code for code, _ in results.values()} <= {201, 409}, sorted({c for c, _ in results.values()})
    assert len(rows) == len(jobs) and set(rows.values()) == {results[j][1] for _, j in jobs}
    assert set(counts) == set(rows.values()) and set(counts.values()) == {1}
    assert 0 < len(unanswered) < len(jobs), "the kills landed among accepted and unanswered requests"


async def kill_when(child: Child, answered: Answered) -> None:
    await asyncio.wait_for(answered.enough.wait(), 30)
    await asyncio.sleep(random.uniform(0, 0.01))
    child.proc.send_signal(signal.SIGKILL)
    await asyncio.to_thread(child.proc.wait, 10)


async def task_rows(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT job_url, task_id::text AS task_id FROM intake.task_requests WHERE job_url LIKE '%/crash/%'"
        )
    finally:
        await conn.close()
    return {r["job_url"]: r["task_id"] for r in rows}


async def drained(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT count(*) = 0 FROM intake.outbox WHERE sent_at IS NULL"))
    finally:
        await conn.close()
