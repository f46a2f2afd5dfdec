"""Password hashes and access tokens, without a server."""

import time
import uuid

import jwt
import pytest

from runtime.tokens import BadToken, Principal, access_token, verify_access
from services.intake.passwords import check_password, hash_password, token_hash

pytestmark = pytest.mark.unit
KEY = "k" * 64


def test_argon2_hashes_verify_and_refuse() -> None:
    stored = hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert check_password(stored, "a long enough password")
    assert not check_password(stored, "another password")
    assert not check_password(None, "a long enough password")  # unknown user
    assert not check_password("not a hash", "x")


def test_access_tokens_round_trip_and_expire() -> None:
    who = Principal(uuid.uuid4(), "operator", uuid.uuid4())
    assert verify_access(access_token(who, KEY, 60), KEY) == who
    claims = jwt.decode(access_token(who, KEY, 60), KEY, algorithms=["HS256"], issuer="autoapply-intake")
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, KEY, algorithm="HS256")
    with pytest.raises(BadToken, match="expired"):
        verify_access(expired, KEY)


@pytest.mark.parametrize(
    "change", [{"typ": "refresh"}, {"role": "root"}, {"iss": "someone else"}, {"sub": "not-a-uuid"}]
)
def test_tokens_of_another_kind_are_refused(change: dict[str, str]) -> None:
    claims = jwt.decode(
        access_token(Principal(uuid.uuid4(), "user", uuid.uuid4()), KEY, 60),
        KEY,
        algorithms=["HS256"],
        issuer="autoapply-intake",
    )
    with pytest.raises(BadToken):
        verify_access(jwt.encode({**claims, **change}, KEY, algorithm="HS256"), KEY)


def test_refresh_tokens_are_stored_as_hashes() -> None:
    assert len(token_hash("abc")) == 32 and token_hash("abc") != token_hash("abd")
