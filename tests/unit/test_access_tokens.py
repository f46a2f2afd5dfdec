"""Access tokens: ours verify; forged, altered, expired, of another issuer, kind or algorithm do not."""

import base64
import json
import secrets
import time
import uuid
from typing import Any

import jwt
import pytest

from runtime.tokens import ALGORITHM, ISSUER, BadToken, Principal, access_token, verify_access

pytestmark = pytest.mark.unit

SECRET = secrets.token_hex(32)
WHO = Principal(uuid.uuid4(), "user", uuid.uuid4())


def _claims(**changes: Any) -> dict[str, Any]:
    base = {"iss": ISSUER, "typ": "access", "sub": str(WHO.user_id), "sid": str(WHO.session_id), "role": "user"}
    return {**base, "exp": int(time.time()) + 3600, **changes}  # made at collection: far enough ahead


def _unsigned(claims: dict[str, Any]) -> str:
    part = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode() for p in ({"alg": "none"}, claims)]
    return f"{part[0]}.{part[1]}."


def test_a_token_of_ours_verifies() -> None:
    assert verify_access(access_token(WHO, SECRET, 60), SECRET) == WHO


def test_an_expired_token_says_so() -> None:
    with pytest.raises(BadToken, match="expired"):
        verify_access(access_token(WHO, SECRET, -1), SECRET)


@pytest.mark.parametrize(
    "token",
    [
        access_token(WHO, secrets.token_hex(32), 3600),  # another key
        access_token(WHO, SECRET, 3600)[:-3] + "AAA",  # an altered signature
        jwt.encode(_claims(), SECRET, algorithm="HS512"),
        jwt.encode(_claims(iss="someone-else"), SECRET, algorithm=ALGORITHM),
        jwt.encode(_claims(typ="refresh"), SECRET, algorithm=ALGORITHM),
        jwt.encode(_claims(role="admin"), SECRET, algorithm=ALGORITHM),
        jwt.encode(_claims(sub="not-a-uuid"), SECRET, algorithm=ALGORITHM),
        jwt.encode(_claims(nbf=time.time() + 6 * 3600), SECRET, algorithm=ALGORITHM),  # hours ahead: a run can be long
        jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, SECRET, algorithm=ALGORITHM),
        _unsigned(_claims()),
        "a.b",
        "",
        "é.é.é",
    ],
)
def test_anything_else_is_not_valid(token: str) -> None:
    with pytest.raises(BadToken, match="not valid"):
        verify_access(token, SECRET)


def test_a_token_verified_before_is_refused_once_it_expires_and_under_another_key() -> None:
    token = access_token(WHO, SECRET, 1)
    assert verify_access(token, SECRET) == WHO
    assert verify_access(token, SECRET) == WHO  # from memory
    with pytest.raises(BadToken, match="not valid"):
        verify_access(token, secrets.token_hex(32))
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires - time.time()) + 0.05)  # at most a second
    with pytest.raises(BadToken, match="expired"):
        verify_access(token, SECRET)
