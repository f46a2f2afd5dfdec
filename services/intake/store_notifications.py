"""SQL of notifications: written by the read model, read by the page, leased by the mailer."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.envelope import Event
from services.intake.notices import Notice

# A mail being sent is left alone this long; after it, another instance may try (the sender died).
LEASE_S = 60
# The mailer gives up on a notification after this many failed tries (it stays on the page).
MAX_ATTEMPTS = 8
COLUMNS = "notification_id, task_id, kind, title, body, link, created_at, read_at, mail, mailed_at"


@dataclass(frozen=True)
class Outgoing:
    notification_id: UUID
    user_id: UUID
    email: str
    title: str
    body: str
    link: str


async def record(conn: asyncpg.Connection, event: Event, notice: Notice) -> None:
    """In the read model's transaction, with the service's rights; the user's mail setting as it is now."""
    await conn.execute(
        "INSERT INTO notifications (notification_id, user_id, task_id, event_id, kind, title, body, link, mail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "coalesce((SELECT mail FROM notification_settings WHERE user_id = $2), 'each')) "
        "ON CONFLICT (notification_id) DO NOTHING",
        notice.notification_id,
        event.user_id,
        event.task_id,
        event.event_id,
        notice.kind,
        notice.title,
        notice.body,
        notice.link,
    )


async def page(conn: asyncpg.Connection, user_id: UUID, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2", user_id, limit
    )
    return rows


async def unread(conn: asyncpg.Connection, user_id: UUID) -> int:
    query = "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    return int(await conn.fetchval(query, user_id))


async def mark_read(conn: asyncpg.Connection, user_id: UUID, ids: list[UUID] | None) -> int:
    done = await conn.execute(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL "
        "AND ($2::uuid[] IS NULL OR notification_id = ANY($2::uuid[]))",
        user_id,
        ids,
    )
    return int(done.split()[-1])


async def settings_of(conn: asyncpg.Connection, user_id: UUID) -> tuple[str, int]:
    row = await conn.fetchrow("SELECT mail, digest_hour FROM notification_settings WHERE user_id = $1", user_id)
    return (row["mail"], row["digest_hour"]) if row else ("each", 8)


async def save_settings(conn: asyncpg.Connection, user_id: UUID, mail: str, digest_hour: int) -> None:
    """Notifications not mailed yet follow the new setting (a switch to daily holds them for the digest)."""
    await conn.execute(
        "INSERT INTO notification_settings (user_id, mail, digest_hour) VALUES ($1, $2, $3) "
        "ON CONFLICT (user_id) DO UPDATE SET mail = EXCLUDED.mail, digest_hour = EXCLUDED.digest_hour, "
        "updated_at = now()",
        user_id,
        mail,
        digest_hour,
    )
    await conn.execute(
        "UPDATE notifications SET mail = $2 WHERE user_id = $1 AND mailed_at IS NULL AND mail_attempts < $3",
        user_id,
        mail,
        MAX_ATTEMPTS,
    )


async def lease_single(conn: asyncpg.Connection, limit: int) -> list[Outgoing]:
    """Mails to send one by one, leased so two instances never send the same one at once."""
    rows = await conn.fetch(
        "UPDATE notifications n SET lease_until = now() + make_interval(secs => $1), "
        "mail_attempts = n.mail_attempts + 1 FROM users u WHERE u.user_id = n.user_id "
        "AND n.notification_id IN (SELECT notification_id FROM notifications WHERE mail = 'each' "
        "AND mailed_at IS NULL AND mail_attempts < $2 AND (lease_until IS NULL OR lease_until < now()) "
        "ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
        "RETURNING n.notification_id, n.user_id, u.email, n.title, n.body, n.link",
        LEASE_S,
        MAX_ATTEMPTS,
        limit,
    )
    return [Outgoing(**dict(r)) for r in rows]


async def due_digests(conn: asyncpg.Connection, now: datetime) -> list[UUID]:
    """Users on the daily digest whose hour has come today and who were not sent one since."""
    # The digest moment of today, as a UTC wall-clock time; a digest is due once the clock passed it.
    moment = "(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') + make_interval(hours => s.digest_hour))"
    rows = await conn.fetch(
        f"SELECT s.user_id FROM notification_settings s WHERE s.mail = 'daily' "
        f"AND ($1::timestamptz AT TIME ZONE 'UTC') >= {moment} "
        f"AND (s.last_digest_at IS NULL OR (s.last_digest_at AT TIME ZONE 'UTC') < {moment}) "
        "AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = s.user_id AND n.mail = 'daily' "
        "AND n.mailed_at IS NULL AND n.mail_attempts < $2)",
        now,
        MAX_ATTEMPTS,
    )
    return [r["user_id"] for r in rows]


async def lease_digest(conn: asyncpg.Connection, user_id: UUID) -> list[Outgoing]:
    """One user's held notifications, leased for one digest mail (the caller's transaction)."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", f"intake digest {user_id}"):
        return []  # another instance is sending this digest
    rows = await conn.fetch(
        "UPDATE notifications n SET lease_until = now() + make_interval(secs => $2), "
        "mail_attempts = n.mail_attempts + 1 FROM users u WHERE u.user_id = n.user_id AND n.user_id = $1 "
        "AND n.mail = 'daily' AND n.mailed_at IS NULL AND n.mail_attempts < $3 "
        "AND (n.lease_until IS NULL OR n.lease_until < now()) "
        "RETURNING n.notification_id, n.user_id, u.email, n.title, n.body, n.link",
        user_id,
        LEASE_S,
        MAX_ATTEMPTS,
    )
    return sorted((Outgoing(**dict(r)) for r in rows), key=lambda o: o.title)


async def mailed(conn: asyncpg.Connection, ids: list[UUID], digest_of: UUID | None = None) -> None:
    await conn.execute(
        "UPDATE notifications SET mailed_at = now(), lease_until = NULL, last_error = NULL "
        "WHERE notification_id = ANY($1::uuid[])",
        ids,
    )
    if digest_of is not None:
        await conn.execute("UPDATE notification_settings SET last_digest_at = now() WHERE user_id = $1", digest_of)


async def failed(conn: asyncpg.Connection, ids: list[UUID], error: str) -> None:
    """The lease is kept: the next try waits LEASE_S, a pause for a mail server that is down."""
    await conn.execute(
        "UPDATE notifications SET last_error = $2 WHERE notification_id = ANY($1::uuid[])", ids, error[:500]
    )
