"""What the world says no to ends the task with that reason, and nothing is submitted: a closed job,
a job the person applied to already. (A sign-in wall waits for the user: test_signin.py.)"""

import httpx
import pytest

from contracts.tasks import TaskFailed
from tests.e2e.stack import Stack, Watcher, applicant
from tests.e2e.test_apply import start_task

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def failed(watcher: Watcher, stack: Stack, task_id: object) -> TaskFailed:
    try:
        event = await watcher.wait_for(task_id, TaskFailed.TYPE, timeout_s=90)  # type: ignore[arg-type]
    except AssertionError:
        print(stack.logs())
        raise
    assert isinstance(event, TaskFailed)
    return event


@pytest.mark.parametrize(
    ("site", "index", "flag", "reason"),
    [
        ("greenhouse", 2, "closed", "job_closed"),
        ("lever", 2, "applied", "already_applied"),
    ],
)
async def test_the_world_says_no_and_the_task_ends_with_that_reason(
    site: str, index: int, flag: str, reason: str, stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = stack.sandbox.job(site, index)
    user, _ = await applicant(http, job)
    if flag:
        stack.sandbox.set_flags(site, job["job_id"], **{flag: [user.email] if flag == "applied" else True})
    task_id = await start_task(http, user, job["url"])
    event = await failed(watcher, stack, task_id)
    assert event.reason == reason, event.message
    assert stack.sandbox.submissions(email=user.email) == []
