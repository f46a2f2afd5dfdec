"""Account events: a user who asked to be forgotten."""

from typing import Literal

from contracts.envelope import Event


class UserDeleted(Event):
    """Every service deletes the user's rows, files, browser profiles and proxies on this.

    An account event belongs to no task: its task_id is the user's id, so that the subject
    (`user.deleted.<user_id>`) still ends with the id it is about.
    """

    TYPE = "user.deleted"
    type: Literal["user.deleted"] = "user.deleted"
