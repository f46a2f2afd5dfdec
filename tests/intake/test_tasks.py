"""Tasks against a real intake, nats-server, PostgreSQL and Redis: the rules at the door, the
read model behind GET, cancel, and one user never seeing another's tasks."""

import json
import uuid
from pathlib import Path

import asyncpg
import httpx
import jwt
import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.streams import EVENTS_STREAM
from tests.intake.client import Intake, as_sql, new_user, ready_user, relogin
from tests.support import eventually

pytestmark = pytest.mark.integration


def job(n: int | None = None) -> str:
    return f"https://boards.greenhouse.io/example/jobs/{n if n is not None else uuid.uuid4().int % 10**9}"


async def submit(http: httpx.AsyncClient, auth: dict[str, str], url: str, **extra: object) -> httpx.Response:
    return await http.post("/api/v1/tasks", headers=auth, json={"job_url": url, **extra})


async def test_a_task_is_accepted_queued_and_projected(http: httpx.AsyncClient) -> None:
    user, resume_id = await ready_user(http)
    answer = await submit(http, user.auth, job(), priority="high")
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["status"] == "QUEUED" and made["platform"] == "greenhouse" and made["job_key"].startswith("greenhouse:")
    assert made["websocket_url"] == f"ws://{http.base_url.host}:{http.base_url.port}/api/v1/tasks/{made['task_id']}/ws"

    async def projected() -> bool:
        got = await http.get(f"/api/v1/tasks/{made['task_id']}", headers=user.auth)
        return bool(got.json()["timeline"])

    await eventually(projected, timeout_s=20)
    task = (await http.get(f"/api/v1/tasks/{made['task_id']}", headers=user.auth)).json()
    assert task["state"] == "QUEUED" and task["resume_id"] == resume_id and task["receipt"] is None
    assert [e["type"] for e in task["timeline"]] == ["task.queued"]
    assert task["timeline"][0]["data"]["priority"] == "high"
    assert task["trace_id"] and task["timeline"][0]["trace_id"] == task["trace_id"]


def task_folders(intake: Intake, user_id: str) -> list[str]:
    folder = Path(intake.servers["folder"]) / "files" / "objects" / user_id / "tasks"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def test_the_same_job_twice_is_a_409_naming_the_first_task(http: httpx.AsyncClient, intake: Intake) -> None:
    user, _ = await ready_user(http)
    first = await submit(http, user.auth, "https://boards.greenhouse.io/example/jobs/4242")
    again = await submit(http, user.auth, "HTTPS://boards.greenhouse.io/example/jobs/4242/?utm_source=mail#apply")
    assert first.status_code == 201 and again.status_code == 409
    assert again.json()["error"] == "duplicate_job" and again.json()["existing_task_id"] == first.json()["task_id"]
    # The refused task's profile snapshot (written before the insert) went away again.
    assert task_folders(intake, user.user_id) == [first.json()["task_id"]]
    other, _ = await ready_user(http)  # another user may apply to the same job
    assert (await submit(http, other.auth, "https://boards.greenhouse.io/example/jobs/4242")).status_code == 201


async def queued_plans(nats_url: str) -> dict[str, str]:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
        sub = await js.pull_subscribe("task.queued.>", stream=EVENTS_STREAM, config=config)
        plans: dict[str, str] = {}
        pending = (await sub.consumer_info()).num_pending or 0
        while pending > 0:
            msgs = await sub.fetch(min(pending, 500), timeout=5)
            for msg in msgs:
                body = json.loads(msg.data)
                plans[body["task_id"]] = body["preferences"].get("plan")
            pending -= len(msgs)
        await sub.unsubscribe()
        return plans
    finally:
        await nc.close()


async def test_the_free_plan_starts_five_tasks_a_day(http: httpx.AsyncClient, intake: Intake) -> None:
    user, _ = await ready_user(http)
    codes = [(await submit(http, user.auth, job())).status_code for _ in range(5)]
    refused = await submit(http, user.auth, job())
    assert codes == [201] * 5 and refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 86400 and refused.json()["limit"] == 5
    await as_sql(intake.dsn, "UPDATE users SET plan = 'pro' WHERE email = $1", user.email)
    pro = await submit(http, user.auth, job())
    assert pro.status_code == 201  # a new plan counts at once

    # The provisioner's daily cap reads the plan from the event: intake's word, never the request's.
    forged = await http.post(
        "/api/v1/tasks", headers=user.auth, json={"job_url": job(), "preferences": {"plan": "enterprise"}}
    )
    assert forged.status_code == 201, forged.text
    plans = await queued_plans(intake.servers["nats"])
    assert plans[pro.json()["task_id"]] == "pro" and plans[forged.json()["task_id"]] == "pro"


async def test_refusals_at_the_door_say_why(http: httpx.AsyncClient) -> None:
    user, _ = await ready_user(http)
    cases = {
        "ftp://jobs.example.org/1": (422, "refused_url"),
        "javascript:alert(1)": (422, "refused_url"),
        "https://user:pw@jobs.example.org/1": (422, "refused_url"),
    }
    for url, (status, code) in cases.items():
        answer = await submit(http, user.auth, url)
        assert (answer.status_code, answer.json()["error"]) == (status, code), url
    typed = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": 42, "priority": "urgent"})
    assert typed.status_code == 422 and {f["field"] for f in typed.json()["fields"]} == {"job_url", "priority"}
    broken = await http.post("/api/v1/tasks", headers={**user.auth, "content-type": "application/json"}, content=b"{")
    assert broken.status_code == 422 and broken.json()["error"] == "malformed_json"
    unknown = await submit(http, user.auth, job(), resume_id=str(uuid.uuid4()))
    assert unknown.status_code == 422 and unknown.json()["field"] == "resume_id"
    nobody = await new_user(http)
    assert (await submit(http, nobody.auth, job())).json()["error"] == "no_resume"


async def test_batch_answers_each_url(http: httpx.AsyncClient) -> None:
    user, _ = await ready_user(http)
    taken = job()
    assert (await submit(http, user.auth, taken)).status_code == 201
    answer = await http.post(
        "/api/v1/tasks/batch", headers=user.auth, json={"job_urls": [job(), "ftp://x.example.org/", taken]}
    )
    assert answer.status_code == 200
    assert [r["http_status"] for r in answer.json()["results"]] == [201, 422, 409]
    assert answer.json()["accepted"] == 1 and answer.json()["refused"] == 2


async def test_list_filters_and_pages(http: httpx.AsyncClient) -> None:
    user, _ = await ready_user(http)
    made = [(await submit(http, user.auth, job())).json()["task_id"] for _ in range(3)]
    made.append((await submit(http, user.auth, "https://jobs.example.org/careers/7")).json()["task_id"])
    seen, cursor = [], None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await http.get("/api/v1/tasks", headers=user.auth, params=params)).json()
        seen += [t["task_id"] for t in page["tasks"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))  # newest first, each once
    generic = (await http.get("/api/v1/tasks", headers=user.auth, params={"platform": "generic"})).json()
    assert [t["task_id"] for t in generic["tasks"]] == [made[-1]]
    queued = (await http.get("/api/v1/tasks", headers=user.auth, params={"state": "queued,cancelled"})).json()
    assert len(queued["tasks"]) == 4
    bad = await http.get("/api/v1/tasks", headers=user.auth, params={"state": "SLEEPING", "limit": "0"})
    assert bad.status_code == 422


async def test_cancel_ends_the_task_once(http: httpx.AsyncClient) -> None:
    user, _ = await ready_user(http)
    task_id = (await submit(http, user.auth, job())).json()["task_id"]
    first = await http.post(f"/api/v1/tasks/{task_id}/cancel", headers=user.auth)
    assert first.status_code == 202

    async def cancelled() -> bool:
        got = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
        return bool(got["state"] == "CANCELLED")

    await eventually(cancelled, timeout_s=20)
    again = await http.post(f"/api/v1/tasks/{task_id}/cancel", headers=user.auth)
    assert again.status_code == 409 and again.json()["state"] == "CANCELLED"
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    assert [e["type"] for e in task["timeline"]] == ["task.queued", "task.cancelled"]


async def test_users_never_see_each_others_tasks(http: httpx.AsyncClient, intake: Intake) -> None:
    alice, alice_resume = await ready_user(http)
    bob, _ = await ready_user(http)
    task_id = (await submit(http, alice.auth, job())).json()["task_id"]
    assert (await http.get(f"/api/v1/tasks/{task_id}", headers=bob.auth)).status_code == 404
    assert (await http.post(f"/api/v1/tasks/{task_id}/cancel", headers=bob.auth)).status_code == 404
    assert (await http.get("/api/v1/tasks", headers=bob.auth)).json()["tasks"] == []
    assert (await http.get(f"/api/v1/resumes/{alice_resume}", headers=bob.auth)).status_code == 404
    assert (await http.get("/api/v1/tasks", headers=bob.auth, params={"user_id": alice.user_id})).status_code == 403
    # An operator helps with anyone's task but never reads a resume.
    await as_sql(intake.dsn, "UPDATE users SET role = 'operator' WHERE email = $1", bob.email)
    await relogin(http, bob)
    assert (await http.get(f"/api/v1/tasks/{task_id}", headers=bob.auth)).status_code == 200
    listed = await http.get("/api/v1/tasks", headers=bob.auth, params={"user_id": alice.user_id})
    assert [t["task_id"] for t in listed.json()["tasks"]] == [task_id]
    assert (await http.get(f"/api/v1/resumes/{alice_resume}", headers=bob.auth)).status_code == 404


async def test_row_level_security_backs_the_code(http: httpx.AsyncClient, intake: Intake) -> None:
    alice, _ = await ready_user(http)
    await submit(http, alice.auth, job())
    conn = await asyncpg.connect(intake.dsn, server_settings={"search_path": "intake,public"})
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE autoapply_api")
            await conn.execute(f"SET LOCAL app.user_id = '{uuid.uuid4()}'")
            strangers = [
                await conn.fetchval(f"SELECT count(*) FROM {t}") for t in ("task_requests", "resumes", "users")
            ]
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE autoapply_api")
            await conn.execute(f"SET LOCAL app.user_id = '{alice.user_id}'")
            own = [await conn.fetchval(f"SELECT count(*) FROM {t}") for t in ("task_requests", "resumes", "users")]
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute("UPDATE task_requests SET job_url = 'https://elsewhere.example.org/'")
    finally:
        await conn.close()
    assert strangers == [0, 0, 0] and own == [1, 1, 1]


async def test_a_session_that_ends_before_the_insert_writes_nothing(http: httpx.AsyncClient, intake: Intake) -> None:
    """The task is written by its own statement, which checks the session again: a logout between
    reading the inputs and writing the task refuses it, and nothing of it is stored."""
    user, resume_id = await ready_user(http)
    session_id = jwt.decode(user.tokens["access_token"], options={"verify_signature": False})["sid"]
    assert (await http.post("/api/v1/auth/logout", headers=user.auth)).status_code == 200
    refused = await submit(http, user.auth, job())
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"

    conn = await asyncpg.connect(intake.dsn, server_settings={"search_path": "intake,public"})
    try:
        event_id = uuid.uuid4()
        call = (
            "SELECT outcome, task_id FROM accept_task_many(ARRAY[$1::uuid], ARRAY[$2::uuid], '{user}', '{5}', "
            "ARRAY[$3::uuid], '{example:1}', '{https://jobs.example.org/1}', '{example}', ARRAY[$4::uuid], "
            "'{NORMAL}', '{\"{}\"}', ARRAY[NULL::text], ARRAY[$5::uuid], '{task.queued.x}', ARRAY['\\x7b7d'::bytea], "
            "'{\"{}\"}', 'none')"
        )
        task_id = uuid.uuid4()
        ended = await conn.fetchrow(
            call, uuid.UUID(session_id), uuid.UUID(user.user_id), task_id, uuid.UUID(resume_id), event_id
        )
        # Another user's id with this session is no live session either.
        stranger = await conn.fetchrow(
            call, uuid.UUID(session_id), uuid.uuid4(), task_id, uuid.UUID(resume_id), event_id
        )
        written = await conn.fetchval(
            "SELECT (SELECT count(*) FROM task_requests WHERE user_id = $1 OR task_id = $2) "
            "+ (SELECT count(*) FROM outbox WHERE id = $3)",
            uuid.UUID(user.user_id),
            task_id,
            event_id,
        )
        inputs = await conn.fetch(
            "SELECT * FROM accept_inputs($1, $2, 'user', NULL)", uuid.UUID(session_id), uuid.UUID(user.user_id)
        )
    finally:
        await conn.close()
    assert (ended["outcome"], ended["task_id"]) == ("ended", None) and stranger["outcome"] == "ended"
    assert written == 0 and inputs == []
    assert task_folders(intake, user.user_id) == []
