"""Every wait is an event: a question the profile cannot answer goes to a person with its options,
never a guess, and the person's answer (through takeover) completes the application."""

import asyncio
from uuid import UUID

import httpx
import pytest

from contracts.applications import ApplicationSubmitted
from contracts.human import HumanNeeded
from tests.e2e.stack import Stack, Watcher, applicant, operator_token, takeover_url
from tests.e2e.test_apply import assert_one_application, start_task, submitted

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
HEAR = "How did you hear about this job?"


async def answer(stack: Stack, task_id: UUID, answers: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {operator_token(stack)}"}
    async with httpx.AsyncClient(base_url=takeover_url(stack), timeout=15) as client:
        for _ in range(100):  # takeover queues the request a moment after human.needed
            done = await client.post(
                f"/api/v1/tasks/{task_id}/human-resolved",
                headers=headers,
                json={"resolution": "answered", "answers": answers},
            )
            if done.status_code != 404:
                break
            await asyncio.sleep(0.2)
    assert done.status_code == 200, done.text


async def test_a_question_nobody_answered_goes_to_a_person_and_their_answer_completes_it(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    job = next(
        j
        for j in stack.sandbox.get("/_admin/jobs", site="greenhouse")["jobs"][:11]
        if any(q["label"] == HEAR and q["required"] for q in j["questions"])
    )
    asked = next(q for q in job["questions"] if q["label"] == HEAR)
    user, resume = await applicant(http, job, leave_out=HEAR)
    task_id = await start_task(http, user, job["url"])
    try:
        needed = await watcher.wait_for(task_id, HumanNeeded.TYPE, timeout_s=90)
    except AssertionError:
        print(stack.logs())
        raise
    assert isinstance(needed, HumanNeeded)
    question = next(q for q in needed.fields if q.label == HEAR)
    assert question.required and set(asked["options"]) <= set(question.options)
    assert needed.questions == tuple(q.label for q in needed.fields) and needed.screenshot_uri
    assert stack.sandbox.submissions(site="greenhouse", job_id=job["job_id"], email=user.email) == []  # no guess

    await answer(stack, task_id, {HEAR: "Company website"})
    event = await submitted(watcher, stack, task_id)
    record = assert_one_application(stack, job, user, resume)
    assert "Company website" in str(record["fields"])
    hear = next(f for f in event.fields if f.label == HEAR)
    assert (hear.value, hear.provenance) == ("Company website", "operator")
    assert isinstance(event, ApplicationSubmitted)
