"""Account events: a user who asked to be forgotten."""

from datetime import datetime
from typing import Literal
from uuid import UUID

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


class CredentialsStored(Event):
    """A platform account the executor may sign in with: the user stored it at intake (origin
    "user"), or the executor created it on a Workday tenant (origin "signup").

    Intake keeps the user's list (`GET /api/v1/credentials`); the executor keeps its own sealed
    copy, so that a login wall needs no round trip. The password travels only sealed: AES-256-GCM
    under the credentials key (`runtime.sealing`), bound to (user, platform, tenant, username), so
    the bus, the outbox and the dead letters never hold it in the clear.
    """

    TYPE = "user.credentials_stored"
    type: Literal["user.credentials_stored"] = "user.credentials_stored"
    platform: str
    tenant: str | None = None  # Workday: the tenant's host, lower case
    username: str
    sealed_password: str  # base64 of the sealed password
    origin: Literal["user", "signup"] = "user"


class CredentialsDeleted(Event):
    """The user deleted a stored account: every copy of it goes."""

    TYPE = "user.credentials_deleted"
    type: Literal["user.credentials_deleted"] = "user.credentials_deleted"
    platform: str
    tenant: str | None = None


class AccountPaused(Event):
    """A platform stopped this user's account: a checkpoint or two-step challenge only the user
    can pass (until None: waiting for the user), or a daily limit (paused until a time). The
    provisioner's rate limiter learns it; intake shows it to the user."""

    TYPE = "user.account_paused"
    type: Literal["user.account_paused"] = "user.account_paused"
    platform: str
    tenant: str | None = None
    reason: Literal["checkpoint", "two_step", "daily_limit", "restricted"]
    until: datetime | None = None
    message: str = ""  # what the platform said, for the user
    source_task_id: UUID | None = None
