"""The answers the executor's agent learned for the user per site, as application.submitted
reports them (`learned`): kept here so the user's export holds them and their delete removes them
(the executor keeps and replays its own copy, and forgets it on user.deleted)."""

import asyncpg

from contracts.applications import ApplicationSubmitted


async def keep(conn: asyncpg.Connection, event: ApplicationSubmitted) -> int:
    """In the transaction that records the event; nothing for a user who is gone (a late event)."""
    if not event.learned:
        return 0
    rows = [
        (event.user_id, a.site, a.label, a.answer, a.provenance, event.task_id, event.occurred_at)
        for a in event.learned
    ]
    # A redelivered or older event never replaces what a newer one said.
    await conn.executemany(
        "INSERT INTO site_answers (user_id, site, label, answer, provenance, source_task_id, learned_at) "
        "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM users WHERE user_id = $1) "
        "ON CONFLICT (user_id, site, label) DO UPDATE SET answer = EXCLUDED.answer, "
        "provenance = EXCLUDED.provenance, source_task_id = EXCLUDED.source_task_id, "
        "learned_at = EXCLUDED.learned_at WHERE site_answers.learned_at <= EXCLUDED.learned_at",
        rows,
    )
    return len(rows)
