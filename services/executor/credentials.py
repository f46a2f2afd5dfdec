"""The executor's sealed copy of the user's platform accounts (migrations/0003_credentials.sql).

Rows come from `user.credentials_stored` (the user stored the account at intake) or from the
executor's own Workday sign-ups, which write the row and the event that tells intake in one
transaction. The password stays sealed at rest and is opened only for the step that types it.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.users import CredentialsDeleted, CredentialsStored
from runtime import scrub
from runtime.errors import PermanentError
from runtime.sealing import Sealer, SealError, credential_context, credentials_sealer
from services.executor.settings import ExecutorSettings


@dataclass(frozen=True)
class Credential:
    user_id: UUID
    platform: str
    tenant: str
    username: str
    sealed: bytes
    origin: str
    stored_at: datetime

    def __repr__(self) -> str:  # no username in a traceback or a log line either
        return f"Credential({self.platform}, {self.tenant or '-'}, {self.origin})"

    def password(self, sealer: Sealer) -> str:
        """The plaintext, for typing only; remembered by the scrubber so no log or span can hold it."""
        plain = sealer.open(self.sealed, credential_context(self.user_id, self.platform, self.tenant, self.username))
        password = plain.decode()
        scrub.remember_personal({"password": password})
        return password


def sealer_for(settings: ExecutorSettings) -> Sealer:
    key = settings.credentials_key.get_secret_value() if settings.credentials_key else None
    return credentials_sealer(key, settings.secret_key.get_secret_value())


def sealed_of(sealer: Sealer, event: CredentialsStored) -> bytes:
    """The event's sealed bytes, once they are known to open here: another key never will."""
    try:
        sealed = base64.b64decode(event.sealed_password, validate=True)
        sealer.open(sealed, credential_context(event.user_id, event.platform, event.tenant, event.username))
    except (binascii.Error, SealError, ValueError) as exc:
        raise PermanentError(f"the sealed password does not open here: {type(exc).__name__}") from None
    return sealed


async def save(conn: asyncpg.Connection, event: CredentialsStored, sealed: bytes) -> None:
    await conn.execute(
        "INSERT INTO credentials (user_id, platform, tenant, username, password_sealed, origin) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, platform, tenant) DO UPDATE SET "
        "username = EXCLUDED.username, password_sealed = EXCLUDED.password_sealed, origin = EXCLUDED.origin, "
        "updated_at = now()",
        event.user_id,
        event.platform,
        event.tenant or "",
        event.username,
        sealed,
        event.origin,
    )


async def delete(conn: asyncpg.Connection, event: CredentialsDeleted) -> None:
    await conn.execute(
        "DELETE FROM credentials WHERE user_id = $1 AND platform = $2 AND tenant = $3",
        event.user_id,
        event.platform,
        event.tenant or "",
    )


async def find(db: asyncpg.Pool, user_id: UUID, platform: str, tenant: str | None) -> Credential | None:
    row = await db.fetchrow(
        "SELECT * FROM credentials WHERE user_id = $1 AND platform = $2 AND tenant = $3",
        user_id,
        platform,
        tenant or "",
    )
    if row is None:
        return None
    return Credential(
        user_id=row["user_id"],
        platform=row["platform"],
        tenant=row["tenant"],
        username=row["username"],
        sealed=bytes(row["password_sealed"]),
        origin=row["origin"],
        stored_at=row["stored_at"],
    )


async def forget_user(conn: asyncpg.Connection, user_id: UUID) -> None:
    """user.deleted: the accounts, what the executor kept of the user's tasks, and the answers its
    agent learned for the user per site (the paths to sites' forms are nobody's: they stay)."""
    for table in ("credentials", "tasks", "submit_attempts", "site_answers", "cancelled"):
        await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
