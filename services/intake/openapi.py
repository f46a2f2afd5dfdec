"""The API described as OpenAPI 3.1, served at /openapi.json; request schemas come from the models."""

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from contracts.profile import Profile
from services.intake.accept import NewTask
from services.intake.accounts import Login, Refresh, Register
from services.intake.answers import AnswerBody
from services.intake.credentials import NewCredential
from services.intake.mailbox import ImapBox, SandboxBox
from services.intake.notify import ReadBody, SettingsBody
from services.intake.review import Approval
from services.intake.tasks import PAGE_MAX, NewBatch

BODIES: tuple[type[BaseModel], ...] = (
    Register,
    Login,
    Refresh,
    NewTask,
    NewBatch,
    Profile,
    Approval,
    NewCredential,
    ImapBox,
    SandboxBox,
    AnswerBody,
    ReadBody,
    SettingsBody,
)
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
UUID_PATH = {"type": "string", "format": "uuid"}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: int, body: type[BaseModel] | None = None, auth: bool = True, **extra: Any) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "done", **_json({"type": "object"})}}
    for status in ("401", "404", "409", "413", "415", "422", "429") if auth else ("401", "409", "422"):
        responses[status] = {"description": "refused; the body says why", **_json(ERROR)}
    op: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(_ref(body))}
    op["security"] = [{"bearer": []}] if auth else []
    return op


def _param(name: str, where: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema}


TASK_ID = [_param("task_id", "path", UUID_PATH)]
LIST_PARAMS = [
    _param("state", "query", {"type": "string"}),
    _param("platform", "query", {"type": "string", "maxLength": 40}),
    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
    _param("cursor", "query", {"type": "string", "maxLength": 200}),
    _param("user_id", "query", UUID_PATH),
]
CREDENTIAL_PARAMS = [
    _param("platform", "query", {"type": "string", "maxLength": 40}, required=True),
    _param("tenant", "query", {"type": "string", "maxLength": 253}),
]
MAILBOX_PARAMS = [_param("address", "query", {"type": "string", "maxLength": 320})]
CALLBACK_PARAMS = [
    _param("code", "query", {"type": "string", "maxLength": 2000}),
    _param("state", "query", {"type": "string", "maxLength": 200}),
    _param("error", "query", {"type": "string", "maxLength": 200}),
]
UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


def paths() -> dict[str, Any]:
    return {
        "/api/v1/auth/register": {"post": _op("create an account", 201, Register, auth=False)},
        "/api/v1/auth/login": {"post": _op("log in: access and refresh tokens", 200, Login, auth=False)},
        "/api/v1/auth/refresh": {"post": _op("new tokens for a refresh token (rotated)", 200, Refresh, auth=False)},
        "/api/v1/auth/logout": {"post": _op("end this login", 200)},
        "/api/v1/me": {"get": _op("the account", 200), "delete": _op("delete the account and all its data", 202)},
        "/api/v1/me/export": {"get": _op("all of the user's data as one zip archive", 200)},
        "/api/v1/profile": {"get": _op("the profile", 200), "put": _op("replace the profile", 200, Profile)},
        "/api/v1/resumes": {
            "get": _op("the user's resumes", 200),
            "post": {**_op("upload a resume (PDF or DOCX, 10 MB at most)", 201), "requestBody": UPLOAD},
        },
        "/api/v1/resumes/{resume_id}": {
            "get": _op("one resume", 200, parameters=[_param("resume_id", "path", UUID_PATH)])
        },
        "/api/v1/tasks": {
            "post": _op("apply to one job", 201, NewTask),
            "get": _op("the user's tasks, newest first", 200, parameters=LIST_PARAMS),
        },
        "/api/v1/tasks/batch": {"post": _op("apply to many jobs: one answer per URL", 200, NewBatch)},
        "/api/v1/tasks/{task_id}": {"get": _op("one task: state, timeline, receipt", 200, parameters=TASK_ID)},
        "/api/v1/tasks/{task_id}/cancel": {"post": _op("cancel a task", 202, parameters=TASK_ID)},
        "/api/v1/tasks/{task_id}/approve": {
            "post": _op("approve a reviewed form, with corrections (label: value)", 202, Approval, parameters=TASK_ID)
        },
        "/api/v1/tasks/{task_id}/answer": {
            "post": _op("the user answers their task's question (label: value)", 202, AnswerBody, parameters=TASK_ID)
        },
        "/api/v1/tasks/{task_id}/live-view": {
            "post": _op(
                "a one-minute ticket into the live view of the task's browser at its sign-in wall",
                201,
                parameters=TASK_ID,
            )
        },
        "/api/v1/tasks/{task_id}/signed-in": {
            "post": _op(
                "the user signed in (or passed the checkpoint) in the live view: the task goes on",
                202,
                parameters=TASK_ID,
            )
        },
        "/api/v1/tasks/{task_id}/files/{name}": {
            "get": _op(
                "one of the task's files (a screenshot, the receipt)",
                200,
                parameters=[*TASK_ID, _param("name", "path", {"type": "string", "maxLength": 300})],
            )
        },
        "/api/v1/notifications": {"get": _op("the latest notifications and the unread count", 200)},
        "/api/v1/notifications/read": {"post": _op("mark some (ids) or all notifications read", 200, ReadBody)},
        "/api/v1/notifications/settings": {
            "get": _op("how the user is mailed", 200),
            "put": _op("mail each notification, a daily digest, or none", 200, SettingsBody),
        },
        "/api/v1/credentials": {
            "get": _op("the stored platform accounts (never a password)", 200),
            "put": _op("store a platform account (the password is sealed)", 200, NewCredential),
            "delete": _op("delete one stored account", 200, parameters=CREDENTIAL_PARAMS),
        },
        "/api/v1/mailbox": {
            "get": _op("the connected mailboxes (never a secret)", 200),
            "delete": _op("disconnect one mailbox (?address=) or all", 200, parameters=MAILBOX_PARAMS),
        },
        "/api/v1/mailbox/imap": {"put": _op("connect an IMAP mailbox (the password is sealed)", 200, ImapBox)},
        "/api/v1/mailbox/sandbox": {"put": _op("connect the sandbox's mailbox (sandbox mode only)", 200, SandboxBox)},
        "/api/v1/mailbox/gmail/start": {"post": _op("start connecting Gmail: Google's consent URL", 200)},
        "/api/v1/mailbox/gmail/callback": {
            "get": _op("Google's redirect after the consent", 200, auth=False, parameters=CALLBACK_PARAMS)
        },
    }


def document() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in BODIES], ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Autoapply intake", "version": "1"},
        "paths": paths(),
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def routes() -> list[BaseRoute]:
    spec = document()

    async def serve(request: Request) -> JSONResponse:
        return JSONResponse(spec)

    return [Route("/openapi.json", serve)]
