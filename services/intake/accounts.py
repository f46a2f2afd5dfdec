"""Accounts: register, log in, refresh, log out, and who am I."""

import asyncio
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from runtime import tokens
from runtime.service import Service
from runtime.tokens import Principal
from services.intake import errors, passwords, pauses, scope, store_accounts, web
from services.intake.bodies import parse

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: str = Field(pattern=EMAIL, max_length=254)
    # Long enough to resist guessing; argon2 makes each guess slow, length makes guesses many.
    password: str = Field(min_length=10, max_length=256)
    name: str = Field(min_length=1, max_length=200)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=200)


def _tokens(svc: Service, who: Principal, refresh: str) -> dict[str, object]:
    s = web.settings(svc)
    return {
        "access_token": tokens.access_token(who, s.secret_key.get_secret_value(), s.access_token_ttl_s),
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": s.access_token_ttl_s,
        "user_id": str(who.user_id),
        "role": who.role,
    }


async def create_account(svc: Service, form: Register) -> dict[str, str]:
    hashed = await asyncio.to_thread(passwords.hash_password, form.password)
    async with svc.pool.acquire() as conn:
        user_id = await store_accounts.create_user(conn, form.email.lower(), form.name, hashed)
    if user_id is None:
        raise errors.ApiError(409, "email_taken", "an account with this e-mail exists; log in instead")
    return {"user_id": str(user_id), "email": form.email.lower(), "name": form.name}


async def register(svc: Service, request: Request) -> JSONResponse:
    return JSONResponse(await create_account(svc, await parse(request, Register)), 201)


async def sign_in(svc: Service, form: Login) -> dict[str, object]:
    """A new session's tokens (the API's login and the page's sign-in); 401 on a wrong password."""
    async with svc.pool.acquire() as conn:
        user = await store_accounts.find_user(conn, form.email.lower())
    stored = user["password_hash"] if user else None
    if not await asyncio.to_thread(passwords.check_password, stored, form.password) or user is None:
        raise errors.unauthorized("wrong e-mail or password")
    refresh = passwords.new_refresh_token()
    ttl = timedelta(days=web.settings(svc).session_ttl_days)
    async with svc.pool.acquire() as conn, conn.transaction():
        sid = await store_accounts.open_session(conn, user["user_id"], passwords.token_hash(refresh), ttl)
    return _tokens(svc, Principal(user["user_id"], user["role"], sid), refresh)


async def login(svc: Service, request: Request) -> JSONResponse:
    return JSONResponse(await sign_in(svc, await parse(request, Login)))


async def rotate(svc: Service, refresh_token: str) -> dict[str, object]:
    """New tokens for a refresh token, which rotates; a used one presented again ends the session."""
    new = passwords.new_refresh_token()
    async with svc.pool.acquire() as conn, conn.transaction():
        row = await store_accounts.use_refresh_token(conn, passwords.token_hash(refresh_token))
        if row is not None and row["reused"]:
            await store_accounts.revoke_session(conn, row["session_id"])  # a copied token: end the login
        elif row is not None and row["live"]:
            await store_accounts.add_refresh_token(conn, row["session_id"], passwords.token_hash(new))
    if row is None or row["reused"] or not row["live"]:
        raise errors.unauthorized("the refresh token is not valid (used, revoked or expired); log in again")
    return _tokens(svc, Principal(row["user_id"], row["role"], row["session_id"]), new)


async def refresh(svc: Service, request: Request) -> JSONResponse:
    form = await parse(request, Refresh)
    return JSONResponse(await rotate(svc, form.refresh_token))


async def logout(svc: Service, request: Request) -> JSONResponse:
    who = scope.principal(svc, request)
    async with svc.pool.acquire() as conn:
        await store_accounts.revoke_session(conn, who.session_id)
    return JSONResponse({"logged_out": True})


async def me(svc: Service, request: Request) -> JSONResponse:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        row = await acting.conn.fetchrow("SELECT user_id, email, name, role, plan, created_at FROM users")
        paused = await pauses.current(acting.conn)
    if row is None:
        raise errors.not_found("user")
    answer = {**dict(row), "user_id": str(row["user_id"]), "created_at": row["created_at"].isoformat()}
    return JSONResponse(answer | {"paused_accounts": paused})


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/auth/register", register, "POST"),
        web.route(svc, "/api/v1/auth/login", login, "POST"),
        web.route(svc, "/api/v1/auth/refresh", refresh, "POST"),
        web.route(svc, "/api/v1/auth/logout", logout, "POST"),
        web.route(svc, "/api/v1/me", me, "GET"),
    ]
