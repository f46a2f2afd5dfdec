"""The accept in batches (group commit, migration 0016) against a real intake, PostgreSQL and Redis:
requests that arrive together share a statement and a transaction, and each still gets its own
answer: 201, 409 naming the first task, 429 over the quota, 401 for an ended session, 422."""

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import jwt
import pytest

from contracts.states import Priority
from contracts.tasks import TaskQueued
from runtime import db
from runtime.tokens import Principal
from services.intake import accept, jobs, store_tasks
from tests.intake.client import Intake, User, as_sql, ready_user

pytestmark = pytest.mark.integration


def job(n: int | None = None) -> str:
    return f"https://boards.greenhouse.io/example/jobs/{n if n is not None else uuid.uuid4().int % 10**9}"


async def submit(http: httpx.AsyncClient, user: User, url: str) -> httpx.Response:
    return await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": url})


def session_of(user: User) -> Principal:
    claims = jwt.decode(user.tokens["access_token"], options={"verify_signature": False})
    return Principal(uuid.UUID(user.user_id), "user", uuid.UUID(claims["sid"]))


async def test_many_at_once_each_get_their_own_answer(http: httpx.AsyncClient, intake: Intake) -> None:
    """Forty requests at once from four users: one user asks for one job six times (one 201, five
    409s naming it), a free-plan user asks for eight jobs (five 201s, three 429s), one user has
    logged out (401s), and the others' tasks are all accepted, each task row with its outbox row."""
    pro, _ = await ready_user(http)
    twice, _ = await ready_user(http)
    free, _ = await ready_user(http)
    gone, _ = await ready_user(http)
    for user in (pro, twice):
        await as_sql(intake.dsn, "UPDATE users SET plan = 'pro' WHERE email = $1", user.email)
    assert (await http.post("/api/v1/auth/logout", headers=gone.auth)).status_code == 200
    same = job()
    asked = (
        [(pro, job()) for _ in range(20)]
        + [(twice, same) for _ in range(6)]
        + [(free, job()) for _ in range(8)]
        + [(gone, job()) for _ in range(6)]
    )
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(base_url=intake.url, timeout=30, limits=limits) as many:
        answers = await asyncio.gather(*(submit(many, user, url) for user, url in asked))
    by_user: dict[str, list[httpx.Response]] = {}
    for (user, _), answer in zip(asked, answers, strict=True):
        by_user.setdefault(user.user_id, []).append(answer)

    assert [a.status_code for a in by_user[pro.user_id]] == [201] * 20
    codes = sorted(a.status_code for a in by_user[twice.user_id])
    assert codes == [201] + [409] * 5
    first = next(a.json()["task_id"] for a in by_user[twice.user_id] if a.status_code == 201)
    assert {a.json()["existing_task_id"] for a in by_user[twice.user_id] if a.status_code == 409} == {first}
    assert sorted(a.status_code for a in by_user[free.user_id]) == [201] * 5 + [429] * 3
    assert {a.status_code for a in by_user[gone.user_id]} == {401}

    accepted = [a.json()["task_id"] for a in answers if a.status_code == 201]
    assert len(accepted) == 26
    conn = await asyncpg.connect(intake.dsn, server_settings={"search_path": "intake,public"})
    try:
        rows = await conn.fetch(
            "SELECT r.task_id, r.user_id, (SELECT count(*) FROM outbox o WHERE o.subject LIKE 'task.queued.%' "
            "AND convert_from(o.payload, 'UTF8')::jsonb->>'task_id' = r.task_id::text) AS events "
            "FROM task_requests r WHERE r.user_id = ANY($1::uuid[])",
            [uuid.UUID(u.user_id) for u in (pro, twice, free, gone)],
        )
    finally:
        await conn.close()
    assert sorted(str(r["task_id"]) for r in rows) == sorted(accepted)
    assert all(r["events"] == 1 for r in rows)
    # The refused ones spent no quota: the free user still has none left, the counts say five.
    assert (await submit(http, free, job())).status_code == 429


async def test_one_batch_statement_binds_each_row_to_its_own_user(http: httpx.AsyncClient, intake: Intake) -> None:
    """accept_inputs_many and accept_task_many over rows of different users, called straight: each
    row reads and writes as its own user (row-level security), an ended session writes nothing, a
    job asked twice in one batch is written once, and a user cannot name another's resume."""
    alice, alice_resume = await ready_user(http)
    bob, bob_resume = await ready_user(http)
    carol, _ = await ready_user(http)
    assert (await http.post("/api/v1/auth/logout", headers=carol.auth)).status_code == 200
    a, b, c = session_of(alice), session_of(bob), session_of(carol)
    conn = await asyncpg.connect(intake.dsn, server_settings={"search_path": "intake,public"})
    try:
        inputs = await store_tasks.task_inputs_many(
            conn, [(a, None), (b, uuid.UUID(alice_resume)), (c, None), (b, None), (a, uuid.UUID(alice_resume))]
        )
        assert inputs[0] is not None and str(inputs[0].resume_id) == alice_resume
        assert inputs[1] is not None and inputs[1].resume_id is None  # alice's resume is not bob's to name
        assert inputs[2] is None  # carol's session has ended
        assert inputs[3] is not None and str(inputs[3].resume_id) == bob_resume
        assert inputs[4] is not None and str(inputs[4].resume_id) == alice_resume
        assert {i.plan for i in inputs if i is not None} == {"free"}

        same = jobs.detect(job(), sandbox=True)
        other = jobs.detect(job(), sandbox=True)
        rows = [
            row(a, same, alice_resume),
            row(b, same, bob_resume),  # another user may apply to the same job
            row(c, other, alice_resume),
            row(a, same, alice_resume),  # alice's second ask in the same batch
            row(a, other, alice_resume),
        ]
        written = await store_tasks.insert_many(conn, "intake", rows)
        outcomes = [w.outcome for w in written]
        assert outcomes == ["accepted", "accepted", "ended", "duplicate", "accepted"]
        assert written[3].task_id == rows[0].event.task_id  # the duplicate names the batch's first
        stored = await conn.fetch(
            "SELECT task_id, user_id, job_key FROM task_requests WHERE task_id = ANY($1::uuid[])",
            [r.event.task_id for r in rows],
        )
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE id = ANY($1::uuid[])", [r.event.event_id for r in rows]
        )
    finally:
        await conn.close()
    assert {(r["task_id"], str(r["user_id"])) for r in stored} == {
        (rows[0].event.task_id, alice.user_id),
        (rows[1].event.task_id, bob.user_id),
        (rows[4].event.task_id, alice.user_id),
    }
    assert events == 3


def row(who: Principal, job_: jobs.Job, resume_id: str, url: str | None = None, limit: int = 5) -> store_tasks.NewRow:
    event = TaskQueued(
        task_id=uuid.uuid4(),
        user_id=who.user_id,
        job_url=url or job_.url,
        platform=job_.platform,
        job_key=job_.key,
        resume_id=resume_id,
        priority=Priority.NORMAL,
        llm_allowed=False,
        preferences={},
    )
    found = jobs.Job(url or job_.url, job_.platform, job_.key)
    return store_tasks.new_row(who, found, uuid.UUID(resume_id), limit, {}, None, event)


async def test_a_batch_postgres_refuses_is_written_row_by_row(http: httpx.AsyncClient, intake: Intake) -> None:
    """A row PostgreSQL cannot store (a NUL character, which the API refuses before; here straight
    at the door's write) fails its batch as a whole, so nothing of it is stored; the door then
    writes each row alone: the good ones are accepted, the bad one gets its own error."""
    user, resume_id = await ready_user(http)
    who = session_of(user)
    pool = await db.create_pool(intake.dsn, "intake")
    svc: Any = SimpleNamespace(pool=pool, schema="intake")
    door = accept.Door(svc)
    try:
        good = [row(who, jobs.detect(job(), sandbox=True), resume_id, limit=50) for _ in range(4)]
        bad_job = jobs.detect(job(), sandbox=True)
        bad = row(who, bad_job, resume_id, url=bad_job.url + "\x00", limit=50)
        blocker = asyncio.create_task(door.write(good[0]))  # goes alone; the rest wait for it together
        await asyncio.sleep(0)
        rest = [asyncio.create_task(door.write(r)) for r in (good[1], bad, good[2], good[3])]
        outcomes = [await blocker, *await asyncio.gather(*rest, return_exceptions=True)]
        assert door.write.batches == 2 and door.write.largest == 4
        async with pool.acquire() as conn:
            stored = await conn.fetchval(
                "SELECT count(*) FROM task_requests WHERE task_id = ANY($1::uuid[])",
                [r.event.task_id for r in (*good, bad)],
            )
    finally:
        await pool.close()
    assert [o.outcome for o in outcomes if isinstance(o, store_tasks.Written)] == ["accepted"] * 4
    assert isinstance(outcomes[2], asyncpg.PostgresError)
    assert stored == 4


async def test_the_quota_is_counted_with_the_commit_in_order(http: httpx.AsyncClient, intake: Intake) -> None:
    """Seven of a free user's tasks in one batch: five are written, two refused ('quota'); a
    duplicate and an ended session spend nothing; a batch that fails as a whole spends nothing."""
    user, resume_id = await ready_user(http)
    who = session_of(user)
    conn = await asyncpg.connect(intake.dsn, server_settings={"search_path": "intake,public"})
    try:
        asked = [jobs.detect(job(), sandbox=True) for _ in range(7)]
        broken = [row(who, j, resume_id) for j in asked[:2]] + [
            row(who, asked[2], resume_id, url=asked[2].url + "\x00")
        ]
        with pytest.raises(asyncpg.PostgresError):
            await store_tasks.insert_many(conn, "intake", broken)
        first = row(who, asked[0], resume_id)
        again = row(who, asked[0], resume_id)  # a duplicate in the same batch spends nothing
        rows = [first, again] + [row(who, j, resume_id) for j in asked[1:]]
        outcomes = [w.outcome for w in await store_tasks.insert_many(conn, "intake", rows)]
        stored = await conn.fetchval("SELECT count(*) FROM task_requests WHERE user_id = $1", who.user_id)
    finally:
        await conn.close()
    assert outcomes == ["accepted", "duplicate"] + ["accepted"] * 4 + ["quota"] * 2
    assert stored == 5
    refused = await submit(http, user, job())
    assert refused.status_code == 429 and refused.json()["limit"] == 5
    assert 0 < int(refused.headers["retry-after"]) <= 86400
