"""Review before submit, and submitting exactly once: a reviewed form waits with the browser open
until the user approves (with corrections); a dry run submits nothing; a submit attempt found
without its outcome is never clicked again (application.submitted says recovered)."""

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import pytest

from contracts.applications import ApplicationSubmitted
from contracts.tasks import TaskApproved, TaskReviewNeeded
from runtime.bus import Bus
from tests.e2e.stack import Stack, Watcher, applicant
from tests.e2e.test_apply import assert_one_application, start_task, submitted
from tests.support import unique

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
LINKEDIN = "LinkedIn Profile"
CORRECTED = "https://www.linkedin.com/in/ada-corrected"


@pytest.fixture
async def bus(stack: Stack) -> AsyncIterator[Bus]:
    publisher = Bus([stack.nats_url], unique("e2e"))
    await publisher.connect()
    try:
        yield publisher
    finally:
        await publisher.close()


async def reviewed(watcher: Watcher, stack: Stack, task_id: UUID) -> TaskReviewNeeded:
    try:
        event = await watcher.wait_for(task_id, TaskReviewNeeded.TYPE, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    assert isinstance(event, TaskReviewNeeded)
    return event


def greenhouse_job(stack: Stack) -> dict[str, object]:
    return next(
        j
        for j in stack.sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][5:11]  # jobs no other test switches
        if any(q["label"] == LINKEDIN for q in j["questions"])
    )


async def test_review_waits_for_approval_and_sends_the_users_corrections(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, bus: Bus
) -> None:
    job = greenhouse_job(stack)
    user, resume = await applicant(http, job)
    task_id = await start_task(http, user, str(job["url"]), review=True)
    review = await reviewed(watcher, stack, task_id)
    fields = {f.label: f for f in review.fields}
    assert fields[LINKEDIN].value == "https://www.linkedin.com/in/ada-example" and not review.dry_run
    assert review.unresolved == () and review.screenshot_uri and review.files
    assert stack.sandbox.submissions(email=user.email) == []  # nothing sent before the approval

    await bus.publish(TaskApproved(task_id=task_id, user_id=UUID(user.user_id), corrections={LINKEDIN: CORRECTED}))
    event = await submitted(watcher, stack, task_id)
    record = assert_one_application(stack, job, user, resume)  # type: ignore[arg-type]
    assert CORRECTED in record["fields"].values()
    sent = next(f for f in event.fields if f.label == LINKEDIN)
    assert (sent.value, sent.provenance) == (CORRECTED, "user")


async def test_a_dry_run_stops_at_review_and_an_attempt_without_an_outcome_is_never_clicked_again(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher, bus: Bus
) -> None:
    # One application walks both: a dry run reaches its review and submits nothing; then, as if its
    # approval came after an executor died mid-click, the attempt on record is never clicked again.
    job = stack.sandbox.job("ashby", 1)
    user, _ = await applicant(http, job)
    task_id = await start_task(http, user, job["url"], dry_run=True)
    review = await reviewed(watcher, stack, task_id)
    assert review.dry_run and review.fields
    await asyncio.sleep(3)
    assert watcher.of(task_id, ApplicationSubmitted.TYPE) == [] and stack.sandbox.submissions(email=user.email) == []
    task = (await http.get(f"/api/v1/tasks/{task_id}", headers=user.auth)).json()
    assert task["state"] == "NEED_REVIEW"

    # As if an executor recorded its attempt and died before it learned what the click did.
    conn = await asyncpg.connect(stack.dsn)
    try:
        key = await conn.fetchval("SELECT job_key FROM executor.tasks WHERE task_id = $1", task_id)
        await conn.execute(
            "INSERT INTO executor.submit_attempts (task_id, user_id, job_key, attempt_id, clicked_by) "
            "VALUES ($1, $2, $3, $4, 'executor-gone')",
            task_id,
            UUID(user.user_id),
            key,
            f"attempt-{task_id}",
        )
    finally:
        await conn.close()
    await bus.publish(TaskApproved(task_id=task_id, user_id=UUID(user.user_id)))
    event = await submitted(watcher, stack, task_id)
    assert event.recovered and event.attempt_id == f"attempt-{task_id}" and event.cdp_endpoint
    await asyncio.sleep(2)
    assert stack.sandbox.submissions(email=user.email) == []  # never clicked by this delivery
