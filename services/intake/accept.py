"""Accepting one task: the rules at the door, then the task row and its task.queued in one transaction."""

import logging
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict, Field

from contracts.profile import TASK_PROFILE_OBJECT, Profile, TaskProfile
from contracts.states import Priority
from contracts.tasks import TaskQueued
from runtime import coalesce, db, objects
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


# The most requests one batch of the door carries (one statement's arrays).
DOOR_BATCH = 64


class Door:
    """The accept's two round trips, each shared by the requests that arrive while the previous
    one is out (runtime/coalesce.py: group commit): the inputs (one statement for all) and the
    write with the quota (one statement and one transaction for all). A batch that PostgreSQL
    refuses as a whole (a row it cannot store, a deadlock) runs each of its requests alone, each
    with its own answer."""

    def __init__(self, svc: Service, max_batch: int = DOOR_BATCH) -> None:
        self.svc = svc
        self.inputs: coalesce.Coalescer[tuple[Principal, UUID | None], store_tasks.Inputs | None]
        self.inputs = coalesce.Coalescer(self._inputs, max_batch)
        self.write: coalesce.Coalescer[store_tasks.NewRow, store_tasks.Written]
        self.write = coalesce.Coalescer(self._write, max_batch)

    async def _inputs(
        self, asked: list[tuple[Principal, UUID | None]]
    ) -> Sequence[store_tasks.Inputs | BaseException | None]:
        async with self.svc.pool.acquire() as conn:
            if len(asked) == 1:
                found = [await store_tasks.task_inputs(conn, *asked[0])]
            else:
                try:
                    found = await store_tasks.task_inputs_many(conn, asked)
                except asyncpg.PostgresConnectionError:
                    raise
                except asyncpg.PostgresError:
                    return [await _alone(store_tasks.task_inputs(conn, *one)) for one in asked]
            db.session_unchanged(conn)  # the function's settings were transaction-local
        return found

    async def _write(self, rows: list[store_tasks.NewRow]) -> Sequence[store_tasks.Written | BaseException]:
        schema = self.svc.schema
        async with self.svc.pool.acquire() as conn:
            try:
                written: Sequence[store_tasks.Written | BaseException] = await store_tasks.insert_many(
                    conn, schema, rows
                )
            except asyncpg.PostgresConnectionError:
                raise  # no answer: the batch may have committed; every request of it gets the error
            except asyncpg.PostgresError:
                if len(rows) == 1:
                    raise
                # Refused as a whole, so nothing of it was written: each alone, each its own answer.
                return [await _alone(store_tasks.insert_many(conn, schema, [row]), single=True) for row in rows]
            db.session_unchanged(conn)  # the function's settings were transaction-local
        return written


async def _alone(call: Awaitable[Any], single: bool = False) -> Any:
    """One request's own outcome, its error included, so the batch's other requests still get theirs
    (`single`: the call answers a list of one outcome)."""
    try:
        got = await call
    except Exception as exc:
        return exc
    return got[0] if single else got


_doors: "weakref.WeakKeyDictionary[Service, Door]" = weakref.WeakKeyDictionary()


def door(svc: Service) -> Door:
    found = _doors.get(svc)
    if found is None:
        found = _doors[svc] = Door(svc)
    return found


async def accept(
    svc: Service, who: Principal, job_url: str, resume_id: UUID | None, prefs: Preferences, priority: Priority
) -> dict[str, Any]:
    job = await check_url(svc, job_url)
    task_id = uuid4()
    through = door(svc)
    # Two statements, each its own transaction (migrations 0015, 0016): the inputs with the live
    # session, then the task with its outbox row if the session is still live and the quota allows.
    # Between them the snapshot the executor will read, written before the task exists. Each of
    # the two round trips is shared with the requests that arrive while the previous one is out.
    inputs = await through.inputs((who, resume_id))
    if inputs is None:
        raise scope.session_ended()
    if inputs.resume_id is None:
        raise _no_resume(resume_id)
    # The quota is counted by the statement that writes the task, from the user's tasks of the
    # day: a refusal, a failure or a crash before the commit spends nothing.
    await _write(svc, through, who, task_id, job, inputs, prefs, priority)
    return {"task_id": str(task_id), "status": "QUEUED", "platform": job.platform, "job_key": job.key}


async def _write(
    svc: Service,
    through: Door,
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
    row = store_tasks.new_row(who, job, inputs.resume_id, quota.limit(inputs.plan), prefs, _trace_id(), event)
    written = await through.write(row)
    if written.outcome == "accepted":
        return
    await _drop_snapshot(svc, who.user_id, task_id)
    if written.outcome == "ended":
        raise scope.session_ended()
    if written.outcome == "quota":
        raise quota.refused(inputs.plan)
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
