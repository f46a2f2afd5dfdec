"""Account events: a user who asked to be forgotten."""

from typing import Literal

from pydantic import Field

from contracts.envelope import Event


class UserDeleted(Event):
    """Every service deletes the user's rows, files, browser profiles and proxies on this.

    An account event belongs to no task: its task_id is the user's id, so that the subject
    (`user.deleted.<user_id>`) still ends with the id it is about.
    """

    TYPE = "user.deleted"
    type: Literal["user.deleted"] = "user.deleted"


class MailboxConnected(Event):
    """The user connected a mailbox at intake; the verifier, which reads it, stores it.

    The secret (Gmail tokens, an IMAP password) travels only sealed: AES-256-GCM under the mailbox
    key that intake and the verifier share, bound to (user, kind, address). The verifier stores the
    sealed bytes as they came and deletes this message from the stream once they are stored.
    """

    TYPE = "user.mailbox_connected"
    type: Literal["user.mailbox_connected"] = "user.mailbox_connected"
    kind: Literal["gmail", "imap", "sandbox"]
    address: str
    settings: dict[str, str | int | bool] = Field(default_factory=dict)  # IMAP host, port, tls, username
    sealed_secret: str  # base64 of the sealed JSON secret


class MailboxDisconnected(Event):
    """The user disconnected a mailbox (or all of them, address None): its secrets are deleted, and
    a Gmail grant is revoked at Google where it still can be."""

    TYPE = "user.mailbox_disconnected"
    type: Literal["user.mailbox_disconnected"] = "user.mailbox_disconnected"
    address: str | None = None
