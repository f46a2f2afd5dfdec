"""Operators only: the page and its API take an intake-issued access token with the operator role.

The page keeps the token in an HttpOnly cookie set at sign-in (takeover asks intake to check the
password); API clients may send it as a Bearer header instead.
"""

import httpx
from starlette.requests import HTTPConnection

from runtime.tokens import BadToken, Principal, verify_access

COOKIE = "autoapply_operator"
# Sign-in asks intake; a slow intake must not hang the operator's page.
INTAKE_TIMEOUT_S = 10.0


class NotOperator(Exception):
    """No valid operator token: the page redirects to sign-in, the API answers 401 or 403."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def token_of(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return conn.cookies.get(COOKIE) or None


def operator(conn: HTTPConnection, secret: str) -> Principal:
    token = token_of(conn)
    if token is None:
        raise NotOperator(401, "sign in as an operator first")
    try:
        who = verify_access(token, secret)
    except BadToken as exc:
        raise NotOperator(401, str(exc)) from None
    if who.role != "operator":
        raise NotOperator(403, "this page is for operators only")
    return who


async def sign_in(intake_url: str, email: str, password: str, secret: str) -> tuple[str, Principal]:
    """Checks the password with intake; returns the access token of an operator, or raises."""
    async with httpx.AsyncClient(base_url=intake_url, timeout=INTAKE_TIMEOUT_S) as client:
        try:
            answer = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        except httpx.HTTPError:
            raise NotOperator(503, "the sign-in service does not answer; try again in a moment") from None
    if answer.status_code != 200:
        raise NotOperator(401, "wrong e-mail or password")
    token = str(answer.json().get("access_token", ""))
    try:
        who = verify_access(token, secret)
    except BadToken as exc:
        raise NotOperator(401, str(exc)) from None
    if who.role != "operator":
        raise NotOperator(403, "this account is not an operator's")
    return token, who
