"""Notifications: written by the read model as events apply, listed and marked read by the page.

Routes: GET /api/v1/notifications, POST /api/v1/notifications/read {ids?},
GET and PUT /api/v1/notifications/settings {mail: each | daily | off, digest_hour (UTC)}.
"""

import json
from collections.abc import Sequence
from typing import Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.registry import EVENT_TYPES
from runtime.service import Service
from services.intake import notices, scope, web
from services.intake import store_notifications as store
from services.intake.bodies import parse

LIST_LIMIT = 100
# Events older than this are history, not news (a read model rebuilt from the stream tells nothing).
NEWS_HOURS = 24


class ReadBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[UUID] | None = Field(default=None, max_length=500)  # None: all of them


class SettingsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mail: Literal["each", "daily", "off"]
    digest_hour: int = Field(default=8, ge=0, le=23)


async def note(conn: asyncpg.Connection, task_ids: Sequence[UUID]) -> None:
    """In the read model's transaction: a notice for each told event of these tasks that applies
    where it stands. The whole history is looked at, not only the arriving events: an event that
    arrived before its predecessors applies only once they are in. The notice's id is the event's,
    so each is written once; an event older than a day (a history read again) tells nothing."""
    rows = await conn.fetch(
        "SELECT e.task_id, e.event_type, e.data, t.job_url FROM task_events e LEFT JOIN tasks t USING (task_id) "
        "WHERE e.task_id = ANY($1::uuid[]) AND e.applied AND e.event_type = ANY($2::text[]) "
        "AND e.occurred_at > now() - make_interval(hours => $3)",
        list(task_ids),
        list(notices.TOLD),
        NEWS_HOURS,
    )
    for row in rows:  # rare: most events tell nothing, so this is mostly no work
        sent = await conn.fetchval(
            "SELECT data FROM task_events WHERE task_id = $1 AND event_type = 'application.submitted' LIMIT 1",
            row["task_id"],
        )
        named = json.loads(sent) if sent else {}
        event = EVENT_TYPES[row["event_type"]].model_validate_json(row["data"])
        notice = notices.notice_for(event, row["job_url"], named.get("company"), named.get("job_title"))
        if notice is not None:
            await store.record(conn, event, notice)


def _shown(row: asyncpg.Record) -> dict[str, object]:
    return {
        **{k: row[k] for k in ("kind", "title", "body", "link", "mail")},
        "notification_id": str(row["notification_id"]),
        "task_id": str(row["task_id"]),
        "created_at": row["created_at"].isoformat(),
        "read_at": row["read_at"] and row["read_at"].isoformat(),
        "mailed_at": row["mailed_at"] and row["mailed_at"].isoformat(),
    }


async def list_notifications(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        rows = await store.page(acting.conn, who.user_id, LIST_LIMIT)
        unread = await store.unread(acting.conn, who.user_id)
    return web.json({"notifications": [_shown(r) for r in rows], "unread": unread})


async def mark_read(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    body = await parse(request, ReadBody)
    async with scope.as_user(svc, who) as acting:
        marked = await store.mark_read(acting.conn, who.user_id, body.ids)
    return web.json({"marked": marked})


async def get_settings(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        mail, hour = await store.settings_of(acting.conn, who.user_id)
    return web.json({"mail": mail, "digest_hour": hour, "mail_configured": web.settings(svc).smtp_host is not None})


async def put_settings(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    body = await parse(request, SettingsBody)
    async with scope.as_user(svc, who) as acting:
        await store.save_settings(acting.conn, who.user_id, body.mail, body.digest_hour)
    return web.json({"mail": body.mail, "digest_hour": body.digest_hour})


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/notifications", list_notifications, "GET"),
        web.route(svc, "/api/v1/notifications/read", mark_read, "POST"),
        web.route(svc, "/api/v1/notifications/settings", get_settings, "GET"),
        web.route(svc, "/api/v1/notifications/settings", put_settings, "PUT"),
    ]
