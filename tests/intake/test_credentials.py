"""Stored credentials on a real intake: sealed at rest, never answered back, never in a log line,
gone with the account."""

import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from runtime.sealing import CREDENTIALS_INFO, Sealer, SealError
from services.intake.credentials import row_context
from tests.intake.client import Intake, new_user

pytestmark = pytest.mark.integration
PASSWORD = "Tr0ub4dor&3-horse-" + uuid.uuid4().hex[:8]
TENANT = "acme.wd5.myworkdayjobs.com"


async def _sealed(dsn: str, user_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "intake"})
    try:
        return list(await conn.fetch("SELECT * FROM user_credentials WHERE user_id = $1", uuid.UUID(user_id)))
    finally:
        await conn.close()


async def test_a_credential_is_sealed_never_shown_and_deleted_with_the_user(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    user = await new_user(http)
    body = {"platform": "workday", "tenant": TENANT.upper(), "username": user.email, "password": PASSWORD}
    created = await http.put("/api/v1/credentials", headers=user.auth, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["tenant"] == TENANT and created.json()["password_stored"] is True
    again = await http.put("/api/v1/credentials", headers=user.auth, json={**body, "password": PASSWORD + "!"})
    assert again.status_code == 200 and again.json()["stored_at"] == created.json()["stored_at"]
    listed = await http.get("/api/v1/credentials", headers=user.auth)
    assert [c["platform"] for c in listed.json()["credentials"]] == ["workday"]
    assert PASSWORD not in listed.text and PASSWORD not in created.text

    [row] = await _sealed(intake.dsn, user.user_id)
    sealed = bytes(row["password_sealed"])
    assert PASSWORD.encode() not in sealed
    box = Sealer.derived(intake.servers["secret"], CREDENTIALS_INFO)
    opened = box.open(sealed, row_context(uuid.UUID(user.user_id), "workday", TENANT, user.email))
    assert opened.decode() == PASSWORD + "!"
    with pytest.raises(SealError):  # bound to its row: not another user's, not another tenant's
        box.open(sealed, row_context(uuid.uuid4(), "workday", TENANT, user.email))

    other = await new_user(http)
    assert (await http.get("/api/v1/credentials", headers=other.auth)).json()["credentials"] == []
    gone = await http.delete(
        "/api/v1/credentials", headers=other.auth, params={"platform": "workday", "tenant": TENANT}
    )
    assert gone.status_code == 404  # another user's account is not theirs to delete

    assert (await http.delete("/api/v1/me", headers=user.auth)).status_code == 202
    assert await _sealed(intake.dsn, user.user_id) == []
    log = Path(intake.child.log).read_text(errors="replace")
    assert PASSWORD not in log and "Tr0ub4dor" not in log


async def test_bad_credentials_are_refused_with_the_field_named(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    cases = [
        ({"platform": "workday", "username": "u", "password": PASSWORD}, "tenant"),
        ({"platform": "myspace", "username": "u", "password": PASSWORD}, "platform"),
        ({"platform": "lever", "username": "u", "password": ""}, "password"),
        ({"platform": "workday", "tenant": "not a host", "username": "u", "password": PASSWORD}, "tenant"),
    ]
    for body, field in cases:
        answer = await http.put("/api/v1/credentials", headers=user.auth, json=body)
        assert answer.status_code == 422, answer.text
        assert field in answer.text and PASSWORD not in answer.text
    assert (await http.delete("/api/v1/credentials", headers=user.auth)).status_code == 422
    stored = await http.put(
        "/api/v1/credentials", headers=user.auth, json={"platform": "lever", "username": "u", "password": PASSWORD}
    )
    assert stored.status_code == 201 and stored.json()["tenant"] is None
    deleted = await http.delete("/api/v1/credentials", headers=user.auth, params={"platform": "lever"})
    assert deleted.status_code == 200
    assert (await http.get("/api/v1/credentials", headers=user.auth)).json()["credentials"] == []


async def test_a_nul_in_a_query_is_a_422_naming_it_not_a_500(http: httpx.AsyncClient, intake: Intake) -> None:
    user = await new_user(http)
    for path, params in (
        ("/api/v1/credentials", {"platform": "workday", "tenant": "a\x00b"}),
        ("/api/v1/mailbox", {"address": "\x00"}),
    ):
        answer = await http.delete(path, headers=user.auth, params=params)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"] == "invalid_request"
