"""Subjects: `<event type>.<task id>`, and `task.queued.<priority>.<task id>` so priority routes.

The task id is always the last token, so one task is followed with `*.*.<id>` and `*.*.*.<id>`.
"""

from uuid import UUID

from contracts.envelope import Event
from contracts.states import Priority
from contracts.tasks import TaskQueued

# Every subject on the events stream starts with one of these families.
FAMILIES = ("task", "profile", "captcha", "human", "email", "application")
EVENT_SUBJECTS = tuple(f"{family}.>" for family in FAMILIES)
# Account events (user.deleted.<user_id>) share the stream but not the task families, so a
# consumer of every task event does not receive them.
USER_SUBJECTS = ("user.>",)
STREAM_SUBJECTS = EVENT_SUBJECTS + USER_SUBJECTS


def subject_for(event: Event) -> str:
    if isinstance(event, TaskQueued):
        return queued_subject(event.priority, event.task_id)
    return f"{event.TYPE}.{event.task_id}"


def queued_subject(priority: Priority, task_id: UUID | str) -> str:
    return f"{TaskQueued.TYPE}.{priority.value}.{task_id}"


def queued_filter(priority: Priority) -> str:
    return f"{TaskQueued.TYPE}.{priority.value}.*"


def event_filter(event_type: str) -> str:
    """The filter subject matching every task's events of one type."""
    return f"{event_type}.>"


def task_filters(task_id: UUID | str) -> tuple[str, str]:
    """Both patterns that match every event of one task."""
    return f"*.*.{task_id}", f"*.*.*.{task_id}"


def event_type_of(subject: str) -> str:
    """`task.queued.high.<id>` -> `task.queued`; `profile.ready.<id>` -> `profile.ready`."""
    return ".".join(subject.split(".")[:2])
