"""Accepting one task: the rules at the door, then the task row and its task.queued in one transaction."""

import logging
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict, Field

from contracts.profile import TASK_PROFILE_OBJECT, Profile, TaskProfile
from contracts.states import Priority
from contracts.tasks import TaskQueued
from runtime import db, objects
from runtime.service import Service
from runtime.tokens import Principal
from services.intake import jobs, quota, scope, store_tasks, urlcheck
from services.intake.errors import ApiError

log = logging.getLogger(__name__)
Preferences = dict[str, str | int | float | bool]


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_url: str = Field(min_length=1, max_length=urlcheck.MAX_URL_CHARS)
    resume_id: UUID | None = None  # default: the newest resume
    preferences: Preferences = Field(default_factory=dict)
    priority: Priority = Priority.NORMAL


async def check_url(svc: Service, url: str) -> jobs.Job:
    sandbox = svc.settings.mode == "sandbox"
    try:
        await urlcheck.check(url, sandbox)
    except urlcheck.RefusedUrl as exc:
        raise ApiError(422, "refused_url", str(exc), field="job_url") from None
    return jobs.detect(url, sandbox)


async def accept(
    svc: Service, who: Principal, job_url: str, resume_id: UUID | None, prefs: Preferences, priority: Priority
) -> dict[str, Any]:
    job = await check_url(svc, job_url)
    task_id = uuid4()
    counted = False
    # Two statements, each its own transaction (migration 0015): the inputs with the live session,
    # then the task with its outbox row if the session is still live. Between them the quota, and
    # the snapshot the executor will read, written before the task exists.
    async with svc.pool.acquire() as conn:
        try:
            inputs = await store_tasks.task_inputs(conn, who, resume_id)
            if inputs is None:
                raise scope.session_ended()
            if inputs.resume_id is None:
                raise _no_resume(resume_id)
            await quota.take(svc.redis, who.user_id, inputs.plan)
            counted = True
            await _write(svc, conn, who, task_id, job, inputs, prefs, priority)
        except BaseException:
            # Not accepted (a duplicate, an ended session, or the insert failed): the quota is not
            # spent. A crash after counting and before the insert spends one unit without a task,
            # never the reverse.
            if counted:
                await quota.give_back(svc.redis, who.user_id)
            raise
        db.session_unchanged(conn)  # both statements' settings were transaction-local
    return {"task_id": str(task_id), "status": "QUEUED", "platform": job.platform, "job_key": job.key}


async def _write(
    svc: Service,
    conn: asyncpg.Connection,
    who: Principal,
    task_id: UUID,
    job: jobs.Job,
    inputs: store_tasks.Inputs,
    prefs: Preferences,
    priority: Priority,
) -> None:
    assert inputs.resume_id is not None
    event = TaskQueued(
        task_id=task_id,
        user_id=who.user_id,
        job_url=job.url,
        platform=job.platform,
        job_key=job.key,
        resume_id=str(inputs.resume_id),
        priority=priority,
        llm_allowed=inputs.allow_llm,
        # The provisioner's daily cap is the plan's: intake says which plan, always, so a plan named
        # in the request's own preferences is never believed.
        # takeover shows an operator a sign-in wait only where the user lets them help (their profile).
        preferences={**prefs, "plan": inputs.plan, "operators_may_sign_in": inputs.operators_may_sign_in},
    )
    await _snapshot(svc, who.user_id, task_id, inputs)
    # A failure here leaves the file: the task may have been written and its answer lost.
    written = await store_tasks.insert(conn, svc.schema, who, job, inputs.resume_id, prefs, _trace_id(), event)
    if written.outcome == "accepted":
        return
    await _drop_snapshot(svc, who.user_id, task_id)
    if written.outcome == "ended":
        raise scope.session_ended()
    raise ApiError(
        409,
        "duplicate_job",
        "you already have a task for this job",
        existing_task_id=str(written.task_id),
        job_key=job.key,
    )


async def _snapshot(svc: Service, user_id: UUID, task_id: UUID, inputs: store_tasks.Inputs) -> None:
    """The executor's copy of the profile, written before the task so it exists once task.queued is out."""
    snapshot = TaskProfile(
        profile=Profile.model_validate_json(inputs.profile_json) if inputs.profile_json else None,
        resume_key=inputs.resume_key,
        resume_filename=inputs.resume_filename,
    )
    where = objects.key(user_id, "tasks", str(task_id), TASK_PROFILE_OBJECT)
    # A fresh task id: no one reads this key before the task's row commits, after this write.
    await objects.LocalObjects(svc.settings.data_dir).put_new(where, snapshot.model_dump_json().encode())


async def _drop_snapshot(svc: Service, user_id: UUID, task_id: UUID) -> None:
    """A refused task leaves no file behind (its id was never anyone's)."""
    await objects.LocalObjects(svc.settings.data_dir).delete_prefix(objects.key(user_id, "tasks", str(task_id)))


def _no_resume(asked: UUID | None) -> ApiError:
    if asked is not None:
        return ApiError(422, "unknown_resume", "no such resume", field="resume_id")
    return ApiError(422, "no_resume", "upload a resume first (POST /api/v1/resumes)", field="resume_id")


def _trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
