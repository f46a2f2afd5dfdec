"""Notifications on a real intake with a real SMTP sink: an event is told once and mailed once, a
daily digest holds single mails back, and the user answers their own task's question."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoapply.local.ports import free_port
from contracts.human import HumanNeeded, Question
from contracts.profiles import ProfileReady
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed, TaskProgress
from runtime.bus import Bus
from sandbox.mailbox import MailStore, start_sink
from tests.intake.client import Intake, User, new_user, upload_resume
from tests.intake.documents import pdf
from tests.intake.test_live import publisher
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually

pytestmark = pytest.mark.integration
HEAR = "How did you hear about this job?"


@pytest.fixture(scope="module")
def smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def intake(intake_servers: dict[str, str], smtp_port: int) -> Iterator[Intake]:
    """This module's intake mails through the sink each test starts on `smtp_port`."""
    folder = Path(intake_servers["folder"])
    env = service_env("intake", intake_servers["nats"], intake_servers["dsn"], intake_servers["redis"], folder)
    env |= {
        "AUTOAPPLY_SECRET_KEY": intake_servers["secret"],
        "AUTOAPPLY_DATA_DIR": str(folder / "files"),
        "AUTOAPPLY_SMTP_HOST": "127.0.0.1",
        "AUTOAPPLY_SMTP_PORT": str(smtp_port),
    }
    child = Child("services.intake", env, folder / "intake-mail.log")
    try:
        asyncio.run(wait_healthy(child))
        yield Intake(child, intake_servers)
    finally:
        child.stop()


@pytest.fixture
async def mails(smtp_port: int, tmp_path: Path) -> AsyncIterator[MailStore]:
    store = MailStore(tmp_path)
    server = await start_sink(store, "127.0.0.1", smtp_port)
    try:
        yield store
    finally:
        server.close()
        await server.wait_closed()


async def running_task(
    http: httpx.AsyncClient, bus: Bus, user: User | None = None
) -> tuple[User, uuid.UUID, uuid.UUID]:
    """A user's task that the executor has in hand (READY), driven by events as the services send them."""
    user = user or await new_user(http)
    assert (await upload_resume(http, user, pdf())).status_code == 201
    job = {"job_url": f"https://jobs.example.org/{uuid.uuid4()}"}
    made = await http.post("/api/v1/tasks", headers=user.auth, json=job)
    task_id, user_id = uuid.UUID(made.json()["task_id"]), uuid.UUID(user.user_id)
    ids = {"task_id": task_id, "user_id": user_id}
    await bus.publish(TaskProgress(state=TaskState.PROVISIONING, **ids))
    # Made after the progress: the read model places events by when they happened.
    await bus.publish(ProfileReady(profile_id="p", provider="local", platform="generic", cdp_url="http://x", **ids))
    return user, task_id, user_id


async def notes(http: httpx.AsyncClient, user: User, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        found[:] = (await http.get("/api/v1/notifications", headers=user.auth)).json()["notifications"]
        return len(found) >= count

    await eventually(arrived, timeout_s=20)
    return found


async def test_a_failure_is_told_once_and_mailed_once_to_the_accounts_address(
    http: httpx.AsyncClient, intake: Intake, mails: MailStore
) -> None:
    async with publisher(intake) as bus:
        user, task_id, user_id = await running_task(http, bus)
        failed = TaskFailed(task_id=task_id, user_id=user_id, reason=FailureReason.JOB_CLOSED)
        await bus.publish(failed)
        await bus.publish(failed.model_copy(update={"event_id": uuid.uuid4()}))  # a second failure applies nowhere
    [note] = await notes(http, user, 1)
    assert note["kind"] == "failed" and note["link"] == f"/app/tasks/{task_id}" and note["read_at"] is None

    async def mailed() -> bool:
        return len(mails.find(to=user.email)) >= 1

    await eventually(mailed, timeout_s=20)
    await asyncio.sleep(2)  # two more rounds of the mailer: nothing is sent again
    [mail] = mails.find(to=user.email)
    assert mail.subject.startswith("Not applied") and f"/app/tasks/{task_id}" in mail.text
    assert (await notes(http, user, 1))[0]["mailed_at"] is not None
    read = await http.post("/api/v1/notifications/read", headers=user.auth, json={})
    assert read.json() == {"marked": 1}
    assert (await http.get("/api/v1/notifications", headers=user.auth)).json()["unread"] == 0


async def test_on_the_daily_digest_single_mails_wait_for_one_digest_a_day(
    http: httpx.AsyncClient, intake: Intake, mails: MailStore
) -> None:
    user = await new_user(http)
    hour = datetime.now(UTC).hour
    # An hour still to come today holds the mails (at 23:xx UTC every hour has come: nothing to hold).
    later = {"mail": "daily", "digest_hour": min(hour + 1, 23)}
    assert (await http.put("/api/v1/notifications/settings", headers=user.auth, json=later)).status_code == 200
    async with publisher(intake) as bus:
        for _ in range(2):
            _, task_id, user_id = await running_task(http, bus, user)
            await bus.publish(TaskFailed(task_id=task_id, user_id=user_id, reason=FailureReason.LOGIN_REQUIRED))
        await notes(http, user, 2)
        await asyncio.sleep(2)  # two rounds of the mailer
        if hour < 23:
            assert mails.find(to=user.email) == []
        now_due = {"mail": "daily", "digest_hour": 0}
        assert (await http.put("/api/v1/notifications/settings", headers=user.auth, json=now_due)).status_code == 200

        async def digested() -> bool:
            return len(mails.find(to=user.email)) >= 1

        await eventually(digested, timeout_s=20)
        _, task_id, user_id = await running_task(http, bus, user)
        await bus.publish(TaskFailed(task_id=task_id, user_id=user_id, reason=FailureReason.LOGIN_REQUIRED))
    listed = await notes(http, user, 3)
    await asyncio.sleep(2)
    [digest] = mails.find(to=user.email)  # one digest for the two; the third waits for tomorrow's
    assert digest.subject == "Your applications today: 2 updates" and digest.text.count("/app/tasks/") == 2
    assert sorted(n["mailed_at"] is None for n in listed) == [False, False, True]


async def test_the_user_answers_their_own_question_and_it_is_banked_once(
    http: httpx.AsyncClient, intake: Intake, mails: MailStore
) -> None:
    user = await new_user(http)
    minimal = {"first_name": "Ada", "last_name": "Example", "email": user.email}
    assert (await http.put("/api/v1/profile", headers=user.auth, json=minimal)).status_code == 201
    async with publisher(intake) as bus:
        _, task_id, user_id = await running_task(http, bus, user)
        ids = {"task_id": task_id, "user_id": user_id}
        for state in (TaskState.NAVIGATING, TaskState.ANALYZING, TaskState.EXECUTING_RPA):
            await bus.publish(TaskProgress(state=state, **ids))
        asked = Question(label=HEAR, widget="select", options=("Referral", "Company website"))
        await bus.publish(
            HumanNeeded(reason="unanswered", resume_state=TaskState.EXECUTING_RPA, fields=(asked,), **ids)
        )
        await bus.publish(TaskProgress(state=TaskState.HUMAN_TAKEOVER, **ids))
    [note] = await notes(http, user, 1)
    assert note["kind"] == "question" and note["link"].endswith("?open=question#question")

    async def asked_by_mail() -> bool:
        return any(HEAR in m.text for m in mails.find(to=user.email))

    await eventually(asked_by_mail, timeout_s=20)

    async def waiting() -> bool:
        state = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()["state"]
        return bool(state == "HUMAN_TAKEOVER")

    await eventually(waiting, timeout_s=20)
    path = f"/api/v1/tasks/{task_id}/answer"
    typo = await http.post(path, headers=user.auth, json={"answers": {HEAR: "Referral", "Shoe size": "9"}})
    assert typo.status_code == 422 and typo.json()["labels"] == ["Shoe size"]
    done = await http.post(path, headers=user.auth, json={"answers": {HEAR: "Referral"}})
    assert done.status_code == 202 and done.json()["answered"] == [HEAR]
    again = await http.post(path, headers=user.auth, json={"answers": {HEAR: "Company website"}})
    assert again.status_code == 409
    bank = (await http.get("/api/v1/profile", headers=user.auth)).json()["answers"]
    assert (bank[HEAR]["answer"], bank[HEAR]["provenance"]) == ("Referral", "user")
    resolved: list[dict[str, Any]] = []

    async def resumed() -> bool:
        timeline = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()["timeline"]
        resolved[:] = [e for e in timeline if e["type"] == "human.resolved"]
        return bool(resolved)

    await eventually(resumed, timeout_s=20)
    [event] = resolved
    assert event["to"] == "EXECUTING_RPA" and event["data"]["operator_id"] == f"user:{user_id}"
    assert event["data"]["answers"] == {HEAR: "Referral"}
