"""The applicant as the executor sees one task: intake's snapshot of the profile, the resume file,
and what people added since (an operator's answers, the user's corrections at review)."""

import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from contracts.profile import TASK_PROFILE_OBJECT, BankAnswer, Profile, TaskProfile
from runtime import objects
from runtime.errors import PermanentError, TransientError
from services.executor.store import Task

# A resume whose file name is not a plain one is uploaded under this name.
DEFAULT_RESUME_NAME = "resume.pdf"


class NoProfile(Exception):
    """The user had no profile when the task was accepted: nothing may be typed for them."""


@dataclass(frozen=True)
class Applicant:
    profile: Profile  # resume = the local path of the resume file, for the form engine
    resume_key: str | None


def _plain_name(name: str | None) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", (name or "").strip())[:120].strip(". ")
    return cleaned or DEFAULT_RESUME_NAME


async def _snapshot(store: objects.ObjectStore, task: Task) -> TaskProfile:
    key = objects.key(task.user_id, "tasks", str(task.task_id), TASK_PROFILE_OBJECT)
    try:
        raw = await store.get(key)
    except FileNotFoundError:
        raise TransientError("the task's profile snapshot is not in the object store yet", delay_s=2.0) from None
    try:
        return TaskProfile.model_validate_json(raw)
    except ValueError as exc:
        raise PermanentError(f"the task's profile snapshot is not valid: {exc}") from None


def with_answers(profile: Profile, answers: dict[str, dict[str, str]]) -> Profile:
    """The operator's and the user's answers join the answer bank, for this task only."""
    bank = dict(profile.answers)
    for label, given in answers.items():
        bank[label] = BankAnswer(answer=given["answer"], provenance=given.get("provenance", "operator"))
    return profile.model_copy(update={"answers": bank})


@asynccontextmanager
async def load(store: objects.ObjectStore, task: Task) -> AsyncIterator[Applicant]:
    """The applicant, with the resume written to a private temporary file while the task is worked."""
    snapshot = await _snapshot(store, task)
    if snapshot.profile is None:
        raise NoProfile("no profile was on file when the task was accepted (PUT /api/v1/profile)")
    folder = Path(tempfile.mkdtemp(prefix="autoapply-task-"))
    try:
        profile = with_answers(snapshot.profile, task.answers)
        resume = None
        if snapshot.resume_key:
            resume = folder / _plain_name(snapshot.resume_filename)
            resume.write_bytes(await store.get(snapshot.resume_key))
        yield Applicant(profile.model_copy(update={"resume": str(resume) if resume else None}), snapshot.resume_key)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
