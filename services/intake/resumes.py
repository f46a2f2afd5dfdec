"""Resume routes: upload (PDF or DOCX, by content, at most 10 MB), list, read one."""

import asyncio
import json
from typing import Any
from uuid import UUID, uuid4

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from runtime import objects
from runtime.service import Service
from services.intake import errors, resume_files, resume_parse, scope, web
from services.intake.bodies import check_text
from services.intake.errors import ApiError

# The multipart envelope around the file: boundaries and headers, never this large.
ENVELOPE_BYTES = 64 * 1024
MAX_FILENAME = 200


def _store(svc: Service) -> objects.LocalObjects:
    return objects.LocalObjects(svc.settings.data_dir)


def _check_length(request: Request) -> None:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise ApiError(411, "length_required", "send the upload with a Content-Length")
    if int(length) > resume_files.MAX_BYTES + ENVELOPE_BYTES:
        raise ApiError(413, "too_large", "a resume is at most 10 MB")


async def _file(request: Request) -> tuple[str, bytes]:
    _check_length(request)
    try:
        form = await request.form(max_files=1, max_fields=5)
    except Exception:  # the multipart parser's errors have no common type of their own
        raise ApiError(
            422,
            "invalid_request",
            "send the resume as multipart/form-data in the field 'file'",
            fields=[{"field": "file", "problem": "not a multipart upload"}],
        ) from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(
            422, "invalid_request", "invalid fields: file", fields=[{"field": "file", "problem": "a file is required"}]
        )
    data = await upload.read(resume_files.MAX_BYTES + 1)
    await form.close()
    name = (upload.filename or "resume")[:MAX_FILENAME]
    check_text({"file": name})
    return name, data


def shown(row: Any) -> dict[str, Any]:
    return {
        "resume_id": str(row["resume_id"]),
        "filename": row["filename"],
        "media_type": row["media_type"],
        "size_bytes": row["size_bytes"],
        "parsed": json.loads(row["parsed"]),
        "created_at": row["created_at"].isoformat(),
    }


async def upload(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    filename, data = await _file(request)
    try:
        document = await asyncio.to_thread(resume_files.read, data)
    except resume_files.NotAResume as exc:
        status = 413 if len(data) > resume_files.MAX_BYTES else 415
        raise ApiError(status, "not_a_resume", str(exc), field="file") from None
    parsed = resume_parse.parse(document.text)
    resume_id = uuid4()
    suffix = "pdf" if document.media_type == resume_files.PDF else "docx"
    key = objects.key(who.user_id, "resumes", f"{resume_id}.{suffix}")
    await _store(svc).put(key, data)  # first the file: a row never points at nothing
    async with scope.as_user(svc, who) as acting:
        row = await acting.conn.fetchrow(
            "INSERT INTO resumes (resume_id, user_id, filename, media_type, size_bytes, object_key, parsed) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING *",
            resume_id,
            who.user_id,
            filename,
            document.media_type,
            len(data),
            key,
            json.dumps(parsed),
        )
    return web.json(shown(row), 201)


async def list_resumes(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        rows = await acting.conn.fetch("SELECT * FROM resumes WHERE user_id = $1 ORDER BY created_at DESC", who.user_id)
    return web.json({"resumes": [shown(r) for r in rows]})


async def get_resume(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    try:
        resume_id = UUID(request.path_params["resume_id"])
    except ValueError:
        raise errors.not_found("resume") from None
    async with scope.as_user(svc, who) as acting:
        row = await acting.conn.fetchrow("SELECT * FROM resumes WHERE resume_id = $1", resume_id)
    if row is None:
        raise errors.not_found("resume")
    return web.json(shown(row))


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/resumes", upload, "POST"),
        web.route(svc, "/api/v1/resumes", list_resumes, "GET"),
        web.route(svc, "/api/v1/resumes/{resume_id}", get_resume, "GET"),
    ]
