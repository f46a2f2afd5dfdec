"""Helpers for talking to a real intake in tests."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.processes import Child

PASSWORD = "correct horse battery staple"


@dataclass
class Intake:
    child: Child
    servers: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.child.env['AUTOAPPLY_HTTP_PORT']}"

    @property
    def dsn(self) -> str:
        return self.servers["dsn"]


@dataclass
class User:
    email: str
    user_id: str
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


async def new_user(http: httpx.AsyncClient, name: str = "Test Person") -> User:
    """Registers and logs in a made-up person with an address no other test uses."""
    email = f"person-{uuid.uuid4().hex[:12]}@example.org"
    created = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name})
    assert created.status_code == 201, created.text
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return User(email, created.json()["user_id"], login.json())


async def upload_resume(http: httpx.AsyncClient, user: User, data: bytes, name: str = "resume.pdf") -> httpx.Response:
    return await http.post("/api/v1/resumes", headers=user.auth, files={"file": (name, data)})


async def ready_user(http: httpx.AsyncClient) -> tuple[User, str]:
    """A user with one resume on file, ready to submit tasks."""
    from tests.intake.documents import pdf

    user = await new_user(http)
    answer = await upload_resume(http, user, pdf())
    assert answer.status_code == 201, answer.text
    return user, answer.json()["resume_id"]


async def as_sql(dsn: str, sql: str, *args: Any) -> Any:
    import asyncpg

    conn = await asyncpg.connect(dsn, server_settings={"search_path": "intake,public"})
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def relogin(http: httpx.AsyncClient, user: User) -> None:
    login = await http.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    user.tokens = login.json()
