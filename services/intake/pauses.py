"""A platform's pause of the user's account (user.account_paused): kept per account and reason,
and shown to the user on GET /api/v1/me (`paused_accounts`), with what the platform said and
until when. A later event of the same account and reason replaces the earlier one (a checkpoint
the user passed comes as an until at the moment it ended)."""

from typing import Any

import asyncpg

from contracts.envelope import Event
from contracts.users import AccountPaused
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.inbox import handle_once
from runtime.service import Service

PAUSES_CONSUMER = "intake-pauses"


async def on_account_paused(svc: Service, event: Event, delivery: Delivery) -> None:
    if not isinstance(event, AccountPaused):
        raise PermanentError(f"{event.TYPE} on the pauses consumer")

    async def keep(conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO account_pauses (user_id, platform, tenant, reason, until, message, source_task_id, paused_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, platform, tenant, reason) DO UPDATE SET "
            "until = EXCLUDED.until, message = EXCLUDED.message, source_task_id = EXCLUDED.source_task_id, "
            "paused_at = EXCLUDED.paused_at WHERE account_pauses.paused_at <= EXCLUDED.paused_at",
            event.user_id,
            event.platform,
            event.tenant or "",
            event.reason,
            event.until,
            event.message,
            event.source_task_id,
            event.occurred_at,
        )

    await handle_once(svc.pool, PAUSES_CONSUMER, event, keep)


async def current(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """The acting user's pauses still running (row-level security keeps it to them)."""
    rows = await conn.fetch(
        "SELECT platform, tenant, reason, until, message, source_task_id, paused_at FROM account_pauses "
        "WHERE until IS NULL OR until > now() ORDER BY paused_at"
    )
    return [
        {
            "platform": r["platform"],
            "tenant": r["tenant"] or None,
            "reason": r["reason"],
            "until": r["until"].isoformat() if r["until"] else None,
            "message": r["message"],
            "task_id": str(r["source_task_id"]) if r["source_task_id"] else None,
            "paused_at": r["paused_at"].isoformat(),
        }
        for r in rows
    ]
