"""A task's own files for its owner: GET /api/v1/tasks/{id}/files/{name:path} (screenshots, the receipt).

Only keys under `<user_id>/tasks/<task_id>/` are served, and only to the user the task belongs to
(operators see screenshots on their own page); the object store refuses a key that climbs out.
"""

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from runtime import objects
from runtime.service import Service
from services.intake import errors, scope, store_tasks, web

MEDIA = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".json": "application/json"}


async def task_file(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    try:
        task_id = UUID(request.path_params["task_id"])
    except ValueError:
        raise errors.not_found("task") from None
    name = request.path_params["name"]
    async with scope.as_user(svc, who) as acting:
        row = await store_tasks.one(acting.conn, task_id)
    if row is None or str(row["user_id"]) != str(who.user_id):
        raise errors.not_found("task")
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in MEDIA or ".." in name.split("/"):
        raise errors.not_found("file")
    store = objects.LocalObjects(svc.settings.data_dir)
    try:
        data = await store.get(objects.key(row["user_id"], "tasks", str(task_id), *name.split("/")))
    except (FileNotFoundError, ValueError):
        raise errors.not_found("file") from None
    return Response(data, media_type=MEDIA[suffix], headers={"Cache-Control": "private, max-age=3600"})


def routes(svc: Service) -> list[BaseRoute]:
    return [web.route(svc, "/api/v1/tasks/{task_id}/files/{name:path}", task_file, "GET")]
