"""The executor's copy of the profile: written by intake with the task, before task.queued is out."""

from pathlib import Path
from uuid import UUID

import httpx
import pytest

from contracts.profile import TASK_PROFILE_OBJECT, TaskProfile
from runtime import objects
from tests.intake.client import Intake, ready_user

pytestmark = pytest.mark.integration

PROFILE = {
    "first_name": "Ada",
    "last_name": "Example",
    "email": "ada.example@example.org",
    "answers": {"Are you willing to relocate?": "Yes"},
}


def _snapshot(intake: Intake, user_id: str, task_id: str) -> TaskProfile:
    store = Path(intake.servers["folder"]) / "files" / objects.OBJECTS_DIR
    path = store / objects.key(UUID(user_id), "tasks", task_id, TASK_PROFILE_OBJECT)
    return TaskProfile.model_validate_json(path.read_bytes())


async def test_an_accepted_task_carries_the_profile_and_resume_as_they_were(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    user, resume_id = await ready_user(http)
    assert (await http.put("/api/v1/profile", headers=user.auth, json=PROFILE)).status_code == 201
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": "https://jobs.lever.co/example/1"})
    assert made.status_code == 201, made.text
    snapshot = _snapshot(intake, user.user_id, made.json()["task_id"])
    assert snapshot.profile is not None and snapshot.profile.email == PROFILE["email"]
    assert snapshot.profile.answers["Are you willing to relocate?"].answer == "Yes"
    assert snapshot.resume_key == f"{user.user_id}/resumes/{resume_id}.pdf" and snapshot.resume_filename == "resume.pdf"
    # A later change to the profile does not reach a task already accepted.
    changed = {**PROFILE, "email": "ada.other@example.org"}
    assert (await http.put("/api/v1/profile", headers=user.auth, json=changed)).status_code == 200
    assert _snapshot(intake, user.user_id, made.json()["task_id"]).profile.email == PROFILE["email"]  # type: ignore[union-attr]


async def test_a_task_without_a_profile_says_so_in_its_snapshot(http: httpx.AsyncClient, intake: Intake) -> None:
    user, _ = await ready_user(http)
    made = await http.post("/api/v1/tasks", headers=user.auth, json={"job_url": "https://jobs.lever.co/example/2"})
    assert made.status_code == 201, made.text
    snapshot = _snapshot(intake, user.user_id, made.json()["task_id"])
    assert snapshot.profile is None and snapshot.resume_key is not None
