"""A user's own data: all of it as one archive, or none of it anymore; and the retention rules."""

import asyncio
import io
import json
import logging
import zipfile
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.envelope import Event
from contracts.tasks import TaskCancelled
from contracts.users import UserDeleted
from runtime import objects, outbox
from runtime.bus import Delivery
from runtime.inbox import handle_once
from runtime.service import Service
from services.intake import scope, store_privacy, web

log = logging.getLogger(__name__)
USERS_CONSUMER = "intake-users"
# Screenshots are kept 30 days (the original design's retention); tasks 90 (store_privacy).
SCREENSHOT_RETENTION_DAYS = 30
RETENTION_EVERY_S = 3600.0


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, default=str, sort_keys=True).encode()


async def export(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        data = await store_privacy.everything(acting.conn, who.user_id)
    store = objects.LocalObjects(svc.settings.data_dir)
    files = {key: await store.get(key) for key in await store.keys(str(who.user_id))}
    archive = await asyncio.to_thread(_zip, data, files)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    headers = {"Content-Disposition": f'attachment; filename="autoapply-export-{stamp}.zip"'}
    return Response(archive, media_type="application/zip", headers=headers)


def _zip(data: dict[str, Any], files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in data.items():
            archive.writestr(f"{name}.json", _json(rows))
        for key, content in files.items():
            archive.writestr(f"files/{key.split('/', 1)[1]}", content)
    return out.getvalue()


async def delete_me(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:  # checks the session before anything goes
        running = await store_privacy.running_tasks(acting.conn, who.user_id)
    async with svc.pool.acquire() as conn, conn.transaction():
        for task_id in running:  # stop what is under way before the rows go
            await outbox.enqueue(
                conn,
                svc.schema,
                TaskCancelled(task_id=task_id, user_id=who.user_id, reason="the user deleted their account"),
            )
        await store_privacy.forget(conn, who.user_id)
        await outbox.enqueue(conn, svc.schema, UserDeleted(task_id=who.user_id, user_id=who.user_id))
    await objects.LocalObjects(svc.settings.data_dir).delete_prefix(str(who.user_id))
    return web.json({"deleted": True, "cancelled_tasks": len(running)}, 202)


async def on_user_deleted(svc: Service, event: Event, delivery: Delivery) -> None:
    """Any instance: the files again (the request's instance may have died before), and late rows."""

    async def apply(conn: asyncpg.Connection) -> None:
        await store_privacy.forget(conn, event.user_id)

    await handle_once(svc.pool, USERS_CONSUMER, event, apply)
    await objects.LocalObjects(svc.settings.data_dir).delete_prefix(str(event.user_id))


async def purge_once(svc: Service) -> tuple[int, int]:
    async with svc.pool.acquire() as conn, conn.transaction():
        tasks = await store_privacy.expired_tasks(conn)
    store = objects.LocalObjects(svc.settings.data_dir)
    shots = 0
    for owner in await asyncio.to_thread(_owners, store):
        for prefix in await _screenshot_folders(store, owner):
            shots += await store.purge_older(prefix, SCREENSHOT_RETENTION_DAYS)
    return tasks, shots


def _owners(store: objects.LocalObjects) -> list[UUID]:
    found = []
    for path in store.root.iterdir() if store.root.is_dir() else []:
        try:
            found.append(UUID(path.name))
        except ValueError:
            continue
    return found


async def _screenshot_folders(store: objects.LocalObjects, owner: UUID) -> list[str]:
    keys = await store.keys(objects.key(owner, "tasks"))
    return sorted({k.rsplit("/", 1)[0] for k in keys if "/screenshots/" in k})


async def retention(svc: Service) -> None:
    while True:
        try:
            tasks, shots = await purge_once(svc)
            if tasks or shots:
                log.info("retention: %d tasks and %d screenshots purged", tasks, shots)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("retention skipped: %r", exc)
        await asyncio.sleep(RETENTION_EVERY_S)


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/me/export", export, "GET"),
        web.route(svc, "/api/v1/me", delete_me, "DELETE"),
    ]
