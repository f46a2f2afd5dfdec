"""provisioner's SQL: proxies and their bindings, browser profiles, and its view of each task."""

import json
import uuid
from typing import Any

import asyncpg

from contracts.tasks import TaskQueued
from contracts.users import AccountPaused
from services.provisioner import vault
from services.provisioner.fingerprint import Fingerprint
from services.provisioner.providers import Session
from services.provisioner.proxies import Proxy


# Proxies and bindings.
async def seed_proxies(conn: asyncpg.Connection, key: bytes, proxies: list[Proxy]) -> int:
    """Adds configured proxies not known yet; returns how many were new."""
    added = 0
    for proxy in proxies:
        proxy_id = uuid.uuid4()
        sealed = vault.seal(key, proxy.password, str(proxy_id)) if proxy.password else None
        added += bool(
            await conn.fetchval(
                "INSERT INTO proxies (proxy_id, scheme, host, port, username, password_sealed) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true",
                proxy_id,
                proxy.scheme,
                proxy.host,
                proxy.port,
                proxy.username,
                sealed,
            )
        )
    return added


async def binding_for(conn: asyncpg.Connection, user_id: object, platform: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM proxy_bindings WHERE user_id = $1 AND platform = $2", user_id, platform)


async def bind_free_proxy(conn: asyncpg.Connection, user_id: object, platform: str) -> asyncpg.Record | None:
    """Binds a proxy no binding has ever had to (user, platform); None when none is left."""
    proxy_id = await conn.fetchval(
        "SELECT p.proxy_id FROM proxies p "
        "WHERE p.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM proxy_bindings b WHERE b.proxy_id = p.proxy_id) "
        "ORDER BY p.created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    if proxy_id is None:
        return None
    return await conn.fetchrow(
        "INSERT INTO proxy_bindings (binding_id, user_id, platform, proxy_id) VALUES ($1, $2, $3, $4) RETURNING *",
        uuid.uuid4(),
        user_id,
        platform,
        proxy_id,
    )


async def proxy_of(conn: asyncpg.Connection, key: bytes, binding_id: object) -> Proxy:
    row = await conn.fetchrow(
        "SELECT p.* FROM proxies p JOIN proxy_bindings b USING (proxy_id) WHERE b.binding_id = $1", binding_id
    )
    password = vault.unseal(key, bytes(row["password_sealed"]), str(row["proxy_id"])) if row["password_sealed"] else ""
    return Proxy(row["scheme"], row["host"], row["port"], row["username"], password)


async def record_exit_ip(conn: asyncpg.Connection, binding_id: object, ip: str) -> None:
    await conn.execute(
        "UPDATE proxy_bindings SET exit_ip = $2::inet, checked_at = now() WHERE binding_id = $1", binding_id, ip
    )


# Profiles.
async def profile_for(conn: asyncpg.Connection, user_id: object, platform: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE user_id = $1 AND platform = $2 FOR UPDATE", user_id, platform
    )


async def take_pooled(
    conn: asyncpg.Connection, user_id: object, platform: str, binding_id: object
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE browser_profiles SET user_id = $1, binding_id = $3 WHERE profile_id = ("
        "SELECT profile_id FROM browser_profiles WHERE user_id IS NULL AND platform = $2 "
        "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *",
        user_id,
        platform,
        binding_id,
    )


async def lock_account(conn: asyncpg.Connection, user_id: object, platform: str) -> None:
    """Serialises creating an account's binding and profile, until this transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"profile:{user_id}:{platform}")


async def insert_profile(
    conn: asyncpg.Connection, provider: str, platform: str, fp: Fingerprint, user_id: object, binding_id: object
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO browser_profiles (profile_id, provider, platform, user_id, binding_id, fingerprint) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *",
        uuid.uuid4(),
        provider,
        platform,
        user_id,
        binding_id,
        fp.model_dump_json(),
    )


async def set_external_id(conn: asyncpg.Connection, profile_id: object, external_id: str) -> None:
    await conn.execute("UPDATE browser_profiles SET external_id = $2 WHERE profile_id = $1", profile_id, external_id)


async def mark_running(
    conn: asyncpg.Connection, profile_id: object, task_id: object, holder: str, session: Session
) -> None:
    await conn.execute(
        "UPDATE browser_profiles SET task_id = $2, holder = $3, cdp_url = $4, ws_url = $5, live_view_url = $6, "
        "pid = $7, started_at = now() WHERE profile_id = $1",
        profile_id,
        task_id,
        holder,
        session.cdp_url,
        session.ws_url,
        session.live_view_url,
        session.pid,
    )


async def clear_running(conn: asyncpg.Connection, profile_id: object, served: bool) -> None:
    await conn.execute(
        "UPDATE browser_profiles SET task_id = NULL, holder = NULL, cdp_url = NULL, ws_url = NULL, "
        "live_view_url = NULL, pid = NULL, started_at = NULL, tasks_served = tasks_served + $2::int, "
        "last_used_at = now(), lingering_until = NULL, lingering_target = NULL WHERE profile_id = $1",
        profile_id,
        int(served),
    )


async def profile_of_task(conn: asyncpg.Connection, task_id: object) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM browser_profiles WHERE task_id = $1", task_id)


async def running_profiles(conn: asyncpg.Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM browser_profiles WHERE task_id IS NOT NULL"))


async def take_over(conn: asyncpg.Connection | asyncpg.Pool, profile_id: object, old: str | None, new: str) -> bool:
    return bool(
        await conn.fetchval(
            "UPDATE browser_profiles SET holder = $3 WHERE profile_id = $1 AND holder IS NOT DISTINCT FROM $2 "
            "AND task_id IS NOT NULL RETURNING true",
            profile_id,
            old,
            new,
        )
    )


def fingerprint_of(row: asyncpg.Record) -> Fingerprint:
    raw = row["fingerprint"]
    return Fingerprint.model_validate(json.loads(raw) if isinstance(raw, str) else raw)


# Tasks.
async def upsert_task(conn: asyncpg.Connection, event: TaskQueued) -> asyncpg.Record:
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, platform, priority, stage, queued) "
        "VALUES ($1, $2, $3, $4, 'waiting', $5::jsonb) "
        "ON CONFLICT (task_id) DO UPDATE SET platform = COALESCE(tasks.platform, EXCLUDED.platform), "
        "priority = COALESCE(tasks.priority, EXCLUDED.priority), queued = COALESCE(tasks.queued, EXCLUDED.queued)",
        event.task_id,
        event.user_id,
        event.platform,
        event.priority.value,
        event.model_dump_json(),
    )
    return await conn.fetchrow("SELECT * FROM tasks WHERE task_id = $1 FOR UPDATE", event.task_id)


async def set_stage(conn: asyncpg.Connection | asyncpg.Pool, task_id: object, stage: str, **fields: Any) -> None:
    names = ["stage", *fields]
    sets = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(names))
    await conn.execute(
        f"UPDATE tasks SET {sets}, updated_at = now() WHERE task_id = $1", task_id, stage, *fields.values()
    )


async def mark_finishing(conn: asyncpg.Connection, task_id: object) -> None:
    await conn.execute(
        "UPDATE tasks SET stage = 'finishing', updated_at = now() WHERE task_id = $1 AND stage = 'ready'", task_id
    )


async def mark_finished(conn: asyncpg.Connection, task_id: object, user_id: object, stage: str) -> str | None:
    """Notes the end of a task (inserting it if it never reached us); returns the stage it had."""
    before = await conn.fetchval("SELECT stage FROM tasks WHERE task_id = $1 FOR UPDATE", task_id)
    await conn.execute(
        "INSERT INTO tasks (task_id, user_id, stage) VALUES ($1, $2, $3) "
        "ON CONFLICT (task_id) DO UPDATE SET stage = EXCLUDED.stage, updated_at = now()",
        task_id,
        user_id,
        stage,
    )
    return str(before) if before else None


async def list_profiles(conn: asyncpg.Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT bp.*, b.exit_ip, b.checked_at, p.scheme || '://' || p.host || ':' || p.port AS proxy_server "
            "FROM browser_profiles bp LEFT JOIN proxy_bindings b USING (binding_id) "
            "LEFT JOIN proxies p USING (proxy_id) ORDER BY bp.created_at"
        )
    )


# Users who asked to be forgotten.
async def profiles_of_user(conn: asyncpg.Connection | asyncpg.Pool, user_id: object) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM browser_profiles WHERE user_id = $1", user_id))


async def tasks_of_user(conn: asyncpg.Connection | asyncpg.Pool, user_id: object) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT task_id, platform FROM tasks WHERE user_id = $1", user_id))


async def forget_user(conn: asyncpg.Connection, user_id: object) -> int:
    """Deletes every row of the user; their proxies are retired, never handed to another account."""
    await conn.execute(
        "UPDATE proxies SET retired_at = now() "
        "WHERE proxy_id IN (SELECT proxy_id FROM proxy_bindings WHERE user_id = $1)",
        user_id,
    )
    deleted = 0
    for table in ("browser_profiles", "proxy_bindings", "tasks", "task_ledger", "account_pauses"):
        status = await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
        deleted += int(status.split()[-1])
    await conn.execute("INSERT INTO forgotten_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING", user_id)
    return deleted


# Pauses.
async def record_pause(conn: asyncpg.Connection, event: AccountPaused) -> None:
    await conn.execute(
        "INSERT INTO account_pauses (user_id, platform, tenant, reason, until, message, source_task_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, platform, tenant, reason) DO UPDATE SET "
        "until = EXCLUDED.until, message = EXCLUDED.message, "
        "source_task_id = EXCLUDED.source_task_id, paused_at = now()",
        event.user_id,
        event.platform,
        event.tenant or "",
        event.reason,
        event.until,
        event.message,
        event.source_task_id,
    )


def queued_of(task: asyncpg.Record) -> TaskQueued | None:
    return TaskQueued.model_validate_json(task["queued"]) if task["queued"] else None


async def forgotten(conn: asyncpg.Connection, user_id: object) -> bool:
    """Whether the user was deleted: their late events make nothing again."""
    return bool(await conn.fetchval("SELECT true FROM forgotten_users WHERE user_id = $1", user_id))


# Shared browsers: the tasks a running browser serves, each in its own tab.
async def held_profile(conn: asyncpg.Connection, task_id: object) -> asyncpg.Record | None:
    """The running profile the task keeps or works in, locked until the transaction ends."""
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE lingering_until IS NULL AND (task_id = $1 OR (task_id IS NOT NULL "
        "AND profile_id = (SELECT profile_id FROM tasks WHERE task_id = $1 AND stage = 'ready'))) FOR UPDATE",
        task_id,
    )


async def running_profile_of(conn: asyncpg.Connection, user_id: object, platform: str) -> asyncpg.Record | None:
    """The account's profile when its browser runs, locked until the transaction ends."""
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE user_id = $1 AND platform = $2 AND task_id IS NOT NULL FOR UPDATE",
        user_id,
        platform,
    )


async def holders(conn: asyncpg.Connection | asyncpg.Pool, profile_id: object, besides: object) -> list[asyncpg.Record]:
    """The other tasks working in the profile's running browser, the longest there first."""
    return list(
        await conn.fetch(
            "SELECT * FROM tasks WHERE profile_id = $1 AND stage = 'ready' AND task_id <> $2 ORDER BY updated_at",
            profile_id,
            besides,
        )
    )


async def target_of(conn: asyncpg.Connection, task_id: object) -> str | None:
    target = await conn.fetchval("SELECT target_id FROM tasks WHERE task_id = $1", task_id)
    return str(target) if target else None


async def set_keeper(conn: asyncpg.Connection, profile_id: object, task_id: object) -> None:
    await conn.execute(
        "UPDATE browser_profiles SET task_id = $2, tasks_served = tasks_served + 1 WHERE profile_id = $1",
        profile_id,
        task_id,
    )


async def count_served(conn: asyncpg.Connection, profile_id: object) -> None:
    await conn.execute("UPDATE browser_profiles SET tasks_served = tasks_served + 1 WHERE profile_id = $1", profile_id)


async def set_lending(conn: asyncpg.Connection | asyncpg.Pool, task_id: object, lending: bool, at: object) -> None:
    """Whether the task waits for a person; an older event than the last one applied changes nothing."""
    await conn.execute(
        "UPDATE tasks SET lending = $2, lending_at = $3 "
        "WHERE task_id = $1 AND (lending_at IS NULL OR lending_at <= $3)",
        task_id,
        lending,
        at,
    )


async def set_holds_account(conn: asyncpg.Connection | asyncpg.Pool, task_id: object, holds: bool) -> None:
    await conn.execute("UPDATE tasks SET holds_account = $2 WHERE task_id = $1", task_id, holds)


async def working_in(conn: asyncpg.Connection, profile_id: object) -> list[asyncpg.Record]:
    """Every task working in the profile's running browser."""
    return list(await conn.fetch("SELECT * FROM tasks WHERE profile_id = $1 AND stage = 'ready'", profile_id))


async def keeper_of(conn: asyncpg.Connection, profile_id: object) -> object | None:
    """The task that keeps the profile's running browser (its lock and slot), locked until the
    transaction ends; None when the browser does not run."""
    keeper: object | None = await conn.fetchval(
        "SELECT task_id FROM browser_profiles WHERE profile_id = $1 FOR UPDATE", profile_id
    )
    return keeper


async def browser_of(conn: asyncpg.Connection | asyncpg.Pool, task_id: object) -> object | None:
    """The profile whose running browser the task works in, or None."""
    found: object | None = await conn.fetchval(
        "SELECT profile_id FROM tasks WHERE task_id = $1 AND stage = 'ready'", task_id
    )
    return found


# Lingering browsers: up after their last task, kept by it, for the account's next task.
async def begin_lingering(
    conn: asyncpg.Connection, profile_id: object, keeper: object, seconds: float, target: str | None
) -> bool:
    """The browser lingers, kept by `keeper`, its last task; False when it no longer keeps it."""
    return bool(
        await conn.fetchval(
            "UPDATE browser_profiles SET lingering_until = now() + make_interval(secs => $3), "
            "lingering_target = $4, tasks_served = tasks_served + 1, last_used_at = now() "
            "WHERE profile_id = $1 AND task_id = $2 AND lingering_until IS NULL RETURNING true",
            profile_id,
            keeper,
            seconds,
            target,
        )
    )


async def lingering_of(conn: asyncpg.Connection, user_id: object, platform: str) -> asyncpg.Record | None:
    """The account's lingering browser, locked until the transaction ends (skipped while another
    transaction holds it: a task adopting it, or an eviction)."""
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE user_id = $1 AND platform = $2 AND task_id IS NOT NULL "
        "AND lingering_until IS NOT NULL FOR UPDATE SKIP LOCKED",
        user_id,
        platform,
    )


async def adopt(conn: asyncpg.Connection, profile_id: object, task_id: object, holder: str) -> None:
    """The lingering browser works for `task_id` now, which keeps it (its lock and slot)."""
    await conn.execute(
        "UPDATE browser_profiles SET task_id = $2, holder = $3, lingering_until = NULL, lingering_target = NULL "
        "WHERE profile_id = $1",
        profile_id,
        task_id,
        holder,
    )


async def least_recently_lingering(conn: asyncpg.Connection, holder: str) -> asyncpg.Record | None:
    """The lingering browser of this instance that has waited longest, locked (or None)."""
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE lingering_until IS NOT NULL AND task_id IS NOT NULL AND holder = $1 "
        "ORDER BY lingering_until LIMIT 1 FOR UPDATE SKIP LOCKED",
        holder,
    )


async def still_lingering(conn: asyncpg.Connection, profile_id: object, keeper: object) -> asyncpg.Record | None:
    """The profile's row when it still lingers under the same keeper, locked; None when it was adopted."""
    return await conn.fetchrow(
        "SELECT * FROM browser_profiles WHERE profile_id = $1 AND task_id = $2 AND lingering_until IS NOT NULL "
        "FOR UPDATE SKIP LOCKED",
        profile_id,
        keeper,
    )


async def clear_running_if_kept(conn: asyncpg.Connection, profile_id: object, keepers: tuple[str, ...]) -> None:
    """Clears the running browser's row when one of `keepers` still keeps it (a stopped lingering one)."""
    await conn.execute(
        "UPDATE browser_profiles SET task_id = NULL, holder = NULL, cdp_url = NULL, ws_url = NULL, "
        "live_view_url = NULL, pid = NULL, started_at = NULL, lingering_until = NULL, lingering_target = NULL "
        "WHERE profile_id = $1 AND task_id = ANY($2::uuid[])",
        profile_id,
        list(keepers),
    )
