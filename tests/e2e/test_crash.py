"""Crashes of the executor, with real SIGKILLs, through the real services and the sandbox: killed
while filling, it resumes on redelivery and submits once; killed right after the submit click, it
never submits again and the verifier settles the task by proof; two instances and a task whose
steps outlast the ack wait: one submission.

The executors run with a 4 s ack wait on their flow consumers (AUTOAPPLY_FLOW_ACK_WAIT_S), so a
redelivery comes in seconds. The sandbox's held submits (/_admin/holds) land a kill after the click
and before the site answers.
"""

import asyncio
import signal
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import nats
import pytest

from autoapply.local.ports import free_port
from contracts.applications import ApplicationSubmitted
from contracts.states import TaskState
from contracts.streams import EVENTS_STREAM
from services.executor.handlers import PROFILE_READY_CONSUMER
from services.verifier import store as verifier_store
from services.verifier.sealing import Sealer
from tests.e2e.stack import Stack, Watcher, applicant
from tests.intake.client import User
from tests.processes import Child, stop_all, wait_healthy
from tests.sandbox.harness import Sandbox
from tests.support import eventually

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(240)]
ACK_WAIT_S = 4.0
FILLING = (TaskState.EXECUTING_RPA, TaskState.EXECUTING_AGENT)


class Crashes:
    """The package's stack, its executor replaced by executors that can be killed and started again."""

    def __init__(self, stack: Stack, env: dict[str, str]) -> None:
        self.stack, self.env, self.started = stack, env, 0

    def executor(self) -> Child:
        self.started += 1
        ports = {k: str(free_port()) for k in ("AUTOAPPLY_HEALTH_PORT", "AUTOAPPLY_HTTP_PORT")}
        env = self.env | ports | {"AUTOAPPLY_INSTANCE": f"executor-crash-{self.started}"}
        child = Child("services.executor", env, self.stack.folder / f"executor-crash-{self.started}.log")
        self.stack.children[f"executor-{self.started}"] = child
        return child


@pytest.fixture(scope="module")
def crashes(stack: Stack) -> Iterator[Crashes]:
    """The package's stack with its executor stopped for the module and started again after it: the
    module's executors declare the flow consumers with a 4 s ack wait, the package's own declares
    them back as it starts (a durable consumer's ack wait is changed in place). Borrowing the stack
    saves starting a nats-server and four services of its own for three tests."""
    own = stack.children.pop("executor")
    own.stop()
    world = Crashes(stack, own.env | {"AUTOAPPLY_FLOW_ACK_WAIT_S": str(ACK_WAIT_S)})
    try:
        asyncio.run(wait_healthy(world.executor(), timeout_s=150))
        yield world
    finally:
        stop_all([stack.children.pop(name) for name in list(stack.children) if name.startswith("executor-")])
        stack.children["executor"] = Child("services.executor", own.env, own.log.with_name("executor-again.log"))
        asyncio.run(wait_healthy(stack.children["executor"], timeout_s=150))


def running_executors(crashes: Crashes) -> list[Child]:
    found = [c for n, c in crashes.stack.children.items() if n.startswith("executor-") and c.proc.poll() is None]
    return found


async def redelivered(nats_url: str) -> int:
    """Messages the flow consumer has handed out again (the ack wait passed without an answer)."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(EVENTS_STREAM, PROFILE_READY_CONSUMER)
        return int(info.num_redelivered or 0)
    finally:
        await nc.close()


def holds(sandbox: Sandbox, job: dict[str, Any]) -> dict[str, Any]:
    for hold in sandbox.get("/_admin/holds")["holds"]:
        if (hold["site"], hold["job_id"]) == (job["site"], job["job_id"]):
            return dict(hold)
    return {"held": False, "waiting": 0, "arrived": 0}


async def start_task(http: httpx.AsyncClient, user: User, url: str) -> UUID:
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": url})
    assert made.status_code == 201, made.text
    return UUID(made.json()["task_id"])


async def filling(watcher: Watcher, task_id: UUID, timeout_s: float = 90) -> None:
    def started() -> bool:
        return any(getattr(e, "state", None) in FILLING for e in watcher.of(task_id, "task.progress"))

    await eventually(started, timeout_s=timeout_s, every_s=0.02)


async def submissions_settle(sandbox: Sandbox, job: dict[str, Any], user: User, seconds: float) -> int:
    """The sandbox's count for the job and the user, after waiting long enough for a second one."""
    await asyncio.sleep(seconds)
    return len(sandbox.submissions(site=job["site"], job_id=job["job_id"], email=user.email))


async def attempts(dsn: str, task_id: UUID) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM executor.submit_attempts WHERE task_id = $1", task_id))
    finally:
        await conn.close()


async def connect_mailbox(crashes: Crashes, user: User) -> None:
    conn = await asyncpg.connect(crashes.stack.dsn, server_settings={"search_path": "verifier"})
    try:
        sealer = Sealer.derived(crashes.stack.children["verifier"].env["AUTOAPPLY_SECRET_KEY"])
        box = {"url": crashes.stack.sandbox.http}
        await verifier_store.connect_mailbox(conn, sealer, UUID(user.user_id), "sandbox", user.email, box, None)
    finally:
        await conn.close()


def logs_on_failure(crashes: Crashes) -> str:
    return crashes.stack.logs()


async def test_an_executor_killed_while_filling_resumes_on_redelivery_and_submits_once(
    crashes: Crashes, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    sandbox = crashes.stack.sandbox
    job = sandbox.job("greenhouse", 1)
    sandbox.post(f"/_admin/holds/greenhouse/{job['job_id']}", {})  # a click before the kill would show here
    user, _ = await applicant(http, job)
    task_id = await start_task(http, user, job["url"])
    await filling(watcher, task_id)
    (victim,) = running_executors(crashes)
    assert victim.kill() == -signal.SIGKILL
    assert holds(sandbox, job)["arrived"] == 0, "the kill landed after the click"
    assert await attempts(crashes.stack.dsn, task_id) == 0
    sandbox.client.delete(f"/_admin/holds/greenhouse/{job['job_id']}").raise_for_status()
    killed_at = time.monotonic()
    crashes.executor()
    try:
        event = await watcher.wait_for(task_id, ApplicationSubmitted.TYPE, timeout_s=90)
    except AssertionError:
        print(logs_on_failure(crashes))
        raise
    assert isinstance(event, ApplicationSubmitted) and not event.recovered
    assert time.monotonic() - killed_at >= ACK_WAIT_S * 0.5  # it came back by redelivery, not by luck
    await watcher.wait_for(task_id, "application.completed", timeout_s=30)
    assert await submissions_settle(sandbox, job, user, ACK_WAIT_S + 1) == 1
    assert len(watcher.of(task_id, ApplicationSubmitted.TYPE)) == 1
    assert await attempts(crashes.stack.dsn, task_id) == 1


async def test_an_executor_killed_right_after_the_click_never_submits_again_and_the_verifier_settles_it(
    crashes: Crashes, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    sandbox = crashes.stack.sandbox
    job = sandbox.job("greenhouse", 2)
    sandbox.post(f"/_admin/holds/greenhouse/{job['job_id']}", {})
    user, _ = await applicant(http, job)
    await connect_mailbox(crashes, user)  # the confirmation mail is one of the proofs
    task_id = await start_task(http, user, job["url"])
    await eventually(lambda: holds(sandbox, job)["waiting"] == 1, timeout_s=90, every_s=0.02)
    (victim,) = running_executors(crashes)
    assert victim.kill() == -signal.SIGKILL  # the click landed; the site has not answered yet
    assert await attempts(crashes.stack.dsn, task_id) == 1
    sandbox.client.delete(f"/_admin/holds/greenhouse/{job['job_id']}").raise_for_status()
    await eventually(lambda: len(sandbox.submissions(site="greenhouse", job_id=job["job_id"], email=user.email)) == 1)
    crashes.executor()
    try:
        submitted = await watcher.wait_for(task_id, ApplicationSubmitted.TYPE, timeout_s=60)
        completed = await watcher.wait_for(task_id, "application.completed", "human.needed", timeout_s=60)
    except AssertionError:
        print(logs_on_failure(crashes))
        raise
    assert isinstance(submitted, ApplicationSubmitted) and submitted.recovered
    assert completed.TYPE == "application.completed", completed.model_dump_json()
    assert completed.evidence  # type: ignore[attr-defined]
    assert await submissions_settle(sandbox, job, user, ACK_WAIT_S + 1) == 1
    assert holds(sandbox, job)["arrived"] == 1  # one click ever reached the site
    assert len(watcher.of(task_id, ApplicationSubmitted.TYPE)) == 1


async def test_two_executors_and_steps_that_outlast_the_ack_wait_make_one_submission(
    crashes: Crashes, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    sandbox = crashes.stack.sandbox
    job = sandbox.job("greenhouse", 3)
    (first,) = running_executors(crashes)
    user, _ = await applicant(http, job)
    task_id = await start_task(http, user, job["url"])
    await filling(watcher, task_id)
    # The instance at work stops answering (no heartbeats, no acks) for three ack waits, as a step
    # that long would: the server gives the task to the second instance, which finds it claimed
    # (the first one's database session still holds the claim) and must not work it.
    sandbox.post(f"/_admin/holds/greenhouse/{job['job_id']}", {})
    first.proc.send_signal(signal.SIGSTOP)
    try:
        second = crashes.executor()
        await wait_healthy(second, timeout_s=60)
        await asyncio.sleep(ACK_WAIT_S * 3)
        assert await redelivered(crashes.stack.nats_url) >= 1  # only the second instance was fetching
        assert holds(sandbox, job)["arrived"] == 0, "the second instance clicked while the first held the task"
    finally:
        first.proc.send_signal(signal.SIGCONT)
    sandbox.client.delete(f"/_admin/holds/greenhouse/{job['job_id']}").raise_for_status()
    try:
        await watcher.wait_for(task_id, ApplicationSubmitted.TYPE, timeout_s=90)
        await watcher.wait_for(task_id, "application.completed", timeout_s=30)
    except AssertionError:
        print(logs_on_failure(crashes))
        raise
    assert await submissions_settle(sandbox, job, user, ACK_WAIT_S * 2) == 1
    assert len(watcher.of(task_id, ApplicationSubmitted.TYPE)) == 1
    assert holds(sandbox, job)["arrived"] <= 1 and second.proc.poll() is None and first.proc.poll() is None
