"""Stored credentials: GET/PUT/DELETE /api/v1/credentials, per platform or Workday tenant.

The password is sealed (AES-256-GCM) before it reaches the database and is never answered back:
GET says only that one is stored, and since when. A stored or deleted account is also an account
event (`user.credentials_stored` / `_deleted`) written to the outbox in the same transaction, so the
executor keeps its own sealed copy; the password travels only sealed.
"""

import base64
import re
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.users import CredentialsDeleted, CredentialsStored
from runtime import outbox
from runtime.sealing import Sealer, credential_context, credentials_sealer
from runtime.service import Service
from services.intake import errors, scope, web
from services.intake.bodies import check_text, parse

# The platforms a stored account can be for (the platforms intake detects from job URLs).
PLATFORMS = ("greenhouse", "lever", "ashby", "workday", "linkedin", "generic")
# Workday accounts are per tenant: the tenant is its host, e.g. acme.wd5.myworkdayjobs.com.
TENANT_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class NewCredential(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: str = Field(min_length=1, max_length=40)
    tenant: str | None = Field(default=None, max_length=253)
    username: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1000)

    @field_validator("platform")
    @classmethod
    def _known(cls, platform: str) -> str:
        if platform.lower() not in PLATFORMS:
            raise ValueError(f"one of {', '.join(PLATFORMS)}")
        return platform.lower()

    @field_validator("tenant")
    @classmethod
    def _host(cls, tenant: str | None) -> str | None:
        if tenant is not None and not TENANT_RE.match(tenant.lower()):
            raise ValueError("a host name, e.g. acme.wd5.myworkdayjobs.com")
        return tenant.lower() if tenant else None

    @model_validator(mode="after")
    def _workday_has_a_tenant(self) -> "NewCredential":
        if self.platform == "workday" and not self.tenant:
            raise ValueError("a Workday account belongs to one tenant: give its host as tenant")
        return self


def sealer(svc: Service) -> Sealer:
    s = web.settings(svc)
    key = s.credentials_key.get_secret_value() if s.credentials_key else None
    return credentials_sealer(key, s.secret_key.get_secret_value())


def row_context(user_id: UUID, platform: str, tenant: str, username: str) -> str:
    return credential_context(user_id, platform, tenant, username)


def shown(row: asyncpg.Record) -> dict[str, Any]:
    """What the user sees of a stored credential: never the password, only that one is stored."""
    return {
        "platform": row["platform"],
        "tenant": row["tenant"] or None,
        "username": row["username"],
        "password_stored": True,
        "origin": row["origin"],  # "user" (stored here) or "signup" (an account Autoapply created)
        "stored_at": _iso(row["stored_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def _iso(at: datetime) -> str:
    return at.isoformat()


async def put_credential(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    new = await parse(request, NewCredential)
    tenant = new.tenant or ""
    sealed = sealer(svc).seal(
        new.password.get_secret_value().encode(), row_context(who.user_id, new.platform, tenant, new.username)
    )
    stored = CredentialsStored(
        task_id=who.user_id,
        user_id=who.user_id,
        platform=new.platform,
        tenant=new.tenant,
        username=new.username,
        sealed_password=base64.b64encode(sealed).decode(),
    )
    async with scope.as_user(svc, who) as acting:
        row = await upsert(acting.conn, stored, sealed)
        await outbox.enqueue(acting.conn, svc.schema, stored)
    return web.json(shown(row), 201 if row["created"] else 200)


async def upsert(conn: asyncpg.Connection, event: CredentialsStored, sealed: bytes) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO user_credentials (user_id, platform, tenant, username, password_sealed, origin) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, platform, tenant) DO UPDATE SET "
        "username = EXCLUDED.username, password_sealed = EXCLUDED.password_sealed, origin = EXCLUDED.origin, "
        "updated_at = now() RETURNING *, (xmax = 0) AS created",
        event.user_id,
        event.platform,
        event.tenant or "",
        event.username,
        sealed,
        event.origin,
    )


async def get_credentials(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        rows = await acting.conn.fetch(
            "SELECT * FROM user_credentials WHERE user_id = $1 ORDER BY platform, tenant", who.user_id
        )
    return web.json({"credentials": [shown(r) for r in rows]})


async def delete_credential(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    check_text(dict(request.query_params))
    platform = request.query_params.get("platform", "").strip().lower()
    if not platform:
        raise errors.ApiError(422, "invalid_request", "say which account to delete: ?platform=...[&tenant=...]")
    tenant = request.query_params.get("tenant", "").strip().lower()
    async with scope.as_user(svc, who) as acting:
        done = await acting.conn.execute(
            "DELETE FROM user_credentials WHERE user_id = $1 AND platform = $2 AND tenant = $3",
            who.user_id,
            platform,
            tenant,
        )
        if done.endswith(" 0"):
            raise errors.not_found("stored credential")
        gone = CredentialsDeleted(task_id=who.user_id, user_id=who.user_id, platform=platform, tenant=tenant or None)
        await outbox.enqueue(acting.conn, svc.schema, gone)
    return web.json({"deleted": True})


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/credentials", get_credentials, "GET"),
        web.route(svc, "/api/v1/credentials", put_credential, "PUT"),
        web.route(svc, "/api/v1/credentials", delete_credential, "DELETE"),
    ]
