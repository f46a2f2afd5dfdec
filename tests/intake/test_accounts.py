"""Accounts against a real intake: register, login, refresh with rotation, logout, bad tokens."""

import httpx
import jwt
import pytest

from tests.intake.client import PASSWORD, new_user

pytestmark = pytest.mark.integration


async def test_register_login_and_me(http: httpx.AsyncClient) -> None:
    user = await new_user(http, "Ada Example")
    me = await http.get("/api/v1/me", headers=user.auth)
    assert me.status_code == 200
    assert me.json()["email"] == user.email and me.json()["role"] == "user" and me.json()["plan"] == "free"
    assert user.tokens["token_type"] == "bearer" and 30 <= user.tokens["expires_in"] <= 3600


async def test_register_twice_and_wrong_password(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    again = await http.post("/api/v1/auth/register", json={"email": user.email, "password": PASSWORD, "name": "X"})
    assert again.status_code == 409 and again.json()["error"] == "email_taken"
    wrong = await http.post("/api/v1/auth/login", json={"email": user.email, "password": "not the password"})
    unknown = await http.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]  # no hint which e-mails exist


async def test_bad_bodies_name_the_field(http: httpx.AsyncClient) -> None:
    short = await http.post("/api/v1/auth/register", json={"email": "a@example.org", "password": "short", "name": "A"})
    assert short.status_code == 422 and [f["field"] for f in short.json()["fields"]] == ["password"]
    broken = await http.post("/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"] == "malformed_json"
    wrong_type = await http.post("/api/v1/auth/login", json={"email": 5, "password": PASSWORD})
    assert wrong_type.status_code == 422 and wrong_type.json()["fields"][0]["field"] == "email"


async def test_every_route_but_the_open_ones_needs_a_token(http: httpx.AsyncClient) -> None:
    answer = await http.get("/api/v1/me")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert (await http.get("/healthz")).status_code == 200


async def test_refresh_rotates_and_a_reused_token_ends_the_session(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    first = user.tokens["refresh_token"]
    renewed = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != first
    stolen = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert stolen.status_code == 401
    # The copy was noticed: the session ends for the newer tokens too.
    after = await http.post("/api/v1/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]})
    assert after.status_code == 401
    me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {renewed.json()['access_token']}"})
    assert me.status_code == 401


async def test_logout_revokes_the_access_token_at_once(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    assert (await http.post("/api/v1/auth/logout", headers=user.auth)).status_code == 200
    assert (await http.get("/api/v1/me", headers=user.auth)).status_code == 401
    refreshed = await http.post("/api/v1/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]})
    assert refreshed.status_code == 401


async def test_forged_and_expired_tokens_are_refused(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    claims = jwt.decode(user.tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode({**claims, "role": "operator"}, "a key that is not the service's key, long enough", "HS256")
    none_alg = jwt.encode(claims, "", algorithm="none")
    for token in (forged, none_alg, "not-a-jwt"):
        answer = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token
    # An expired token signed with the right key is refused too: tests/intake/test_passwords.py.
