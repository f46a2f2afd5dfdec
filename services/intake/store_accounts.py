"""SQL of accounts: users, sessions, refresh tokens. Runs with the service's own rights (no user yet)."""

from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg


async def create_user(conn: asyncpg.Connection, email: str, name: str, password_hash: str) -> UUID | None:
    """The new user's id, or None when the e-mail is taken."""
    user_id = uuid4()
    created = await conn.fetchval(
        "INSERT INTO users (user_id, email, name, password_hash) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (email) DO NOTHING RETURNING user_id",
        user_id,
        email,
        name,
        password_hash,
    )
    return created if isinstance(created, UUID) else None


async def find_user(conn: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT user_id, password_hash, role FROM users WHERE email = $1", email
    )
    return row


async def open_session(conn: asyncpg.Connection, user_id: UUID, token_hash: bytes, ttl: timedelta) -> UUID:
    session_id = uuid4()
    await conn.execute(
        "INSERT INTO sessions (session_id, user_id, expires_at) VALUES ($1, $2, now() + $3)", session_id, user_id, ttl
    )
    await add_refresh_token(conn, session_id, token_hash)
    return session_id


async def add_refresh_token(conn: asyncpg.Connection, session_id: UUID, token_hash: bytes) -> None:
    await conn.execute("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)", token_hash, session_id)


async def use_refresh_token(conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    """Locks and marks the token used; returns its session (with user, role, liveness, prior use)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT t.session_id, t.used_at IS NOT NULL AS reused, s.user_id, u.role, "
        "s.revoked_at IS NULL AND s.expires_at > now() AS live "
        "FROM refresh_tokens t JOIN sessions s USING (session_id) JOIN users u USING (user_id) "
        "WHERE t.token_hash = $1 FOR UPDATE OF t",
        token_hash,
    )
    if row is not None:
        await conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1", token_hash)
    return row


async def revoke_session(conn: asyncpg.Connection, session_id: UUID) -> None:
    await conn.execute("UPDATE sessions SET revoked_at = coalesce(revoked_at, now()) WHERE session_id = $1", session_id)


async def set_role(conn: asyncpg.Connection, email: str, role: str) -> bool:
    return bool(await conn.fetchval("UPDATE users SET role = $2 WHERE email = $1 RETURNING true", email, role))


async def set_plan(conn: asyncpg.Connection, email: str, plan: str) -> bool:
    return bool(await conn.fetchval("UPDATE users SET plan = $2 WHERE email = $1 RETURNING true", email, plan))
