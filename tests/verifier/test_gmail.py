"""The Gmail source beyond the shared suite: the query it sends, token refresh, and its errors,
through google-api-python-client's own HttpMockSequence."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from googleapiclient.http import HttpMockSequence

from runtime.google_oauth import GMAIL_READONLY, GmailTokens, OAuthClient, credentials, refreshed
from services.verifier.mail.gmail import GmailMailbox
from services.verifier.mail.message import MailboxRevoked, MailQuery, MailSourceError
from tests.verifier import gmailfake, mails

pytestmark = pytest.mark.unit

CLIENT = OAuthClient("client-1.apps.example.org", "client-secret", "https://app.example.org/oauth/callback")
ADDRESS = "ada.lovelace@example.org"


def tokens(expired: bool) -> GmailTokens:
    expiry = datetime.now(UTC) + (timedelta(minutes=-5) if expired else timedelta(hours=1))
    return GmailTokens("ya29.old-access", "1//refresh-1", expiry, (GMAIL_READONLY,))


def one_message() -> list[tuple[dict[str, str], str]]:
    at = int(datetime.now(UTC).timestamp() * 1000)
    return [
        (gmailfake.OK, gmailfake.listing(["18c0000000001"])),
        (gmailfake.OK, json.dumps(gmailfake.message("18c0000000001", mails.security_code(mails.CODE, to=ADDRESS), at))),
    ]


def query() -> MailQuery:
    return MailQuery(ADDRESS, datetime(2026, 12, 1, 0, 30, tzinfo=UTC), ("greenhouse-mail.io", "greenhouse.io"))


async def test_the_query_is_by_day_and_each_message_is_fetched_in_full() -> None:
    http = HttpMockSequence(one_message())
    found = await GmailMailbox(credentials(tokens(expired=False), CLIENT), http=http).search(
        MailQuery(ADDRESS, datetime.now(UTC) - timedelta(minutes=1), ("greenhouse-mail.io",))
    )
    (list_uri, list_method, _, headers), (get_uri, _, _, _) = http.request_sequence
    params = parse_qs(urlsplit(list_uri).query)
    day = (datetime.now(UTC) - timedelta(days=1, minutes=1)).strftime("%Y/%m/%d")
    assert urlsplit(list_uri).path == "/gmail/v1/users/me/messages" and list_method == "GET"
    assert params["q"] == [f"to:{ADDRESS} after:{day} {{from:greenhouse-mail.io}}"]
    assert headers["authorization"] == "Bearer ya29.old-access"
    assert urlsplit(get_uri).path.endswith("/messages/18c0000000001") and "format=full" in get_uri
    assert [m.id for m in found] == ["gmail:18c0000000001"]


async def test_an_expired_token_is_refreshed_first_and_the_new_one_kept() -> None:
    before = tokens(expired=True)
    http = HttpMockSequence([(gmailfake.OK, gmailfake.token("ya29.new-access")), *one_message()])
    creds = credentials(before, CLIENT)
    found = await GmailMailbox(creds, http=http).search(MailQuery(ADDRESS, datetime.now(UTC) - timedelta(minutes=1)))
    (token_uri, method, body, _), (_, _, _, list_headers) = http.request_sequence[:2]
    form = parse_qs(body.decode() if isinstance(body, bytes) else body)
    assert token_uri == "https://oauth2.googleapis.com/token" and method == "POST"
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["1//refresh-1"]
    assert list_headers["authorization"] == "Bearer ya29.new-access"
    after = refreshed(creds, before)
    assert after is not None and after.access_token == "ya29.new-access" and after.refresh_token == "1//refresh-1"
    assert after.expiry > datetime.now(UTC) + timedelta(minutes=50)
    assert len(found) == 1


async def test_a_401_refreshes_and_retries_once() -> None:
    unauthorized = ({"status": "401"}, json.dumps({"error": {"code": 401, "status": "UNAUTHENTICATED"}}))
    http = HttpMockSequence(
        [unauthorized, (gmailfake.OK, gmailfake.token("ya29.second")), (gmailfake.OK, gmailfake.listing([]))]
    )
    found = await GmailMailbox(credentials(tokens(expired=False), CLIENT), http=http).search(query())
    assert found == [] and len(http.request_sequence) == 3
    assert http.request_sequence[2][3]["authorization"] == "Bearer ya29.second"


async def test_a_revoked_grant_says_reconnect() -> None:
    refused = (
        {"status": "400"},
        json.dumps({"error": "invalid_grant", "error_description": "Token has been revoked."}),
    )
    http = HttpMockSequence([refused])
    with pytest.raises(MailboxRevoked):
        await GmailMailbox(credentials(tokens(expired=True), CLIENT), http=http).search(query())


@pytest.mark.parametrize("status", ["429", "500", "503"])
async def test_throttling_and_outages_are_worth_another_look(status: str) -> None:
    http = HttpMockSequence([({"status": status}, json.dumps({"error": {"code": int(status)}}))])
    with pytest.raises(MailSourceError) as raised:
        await GmailMailbox(credentials(tokens(expired=False), CLIENT), http=http).search(query())
    assert not isinstance(raised.value, MailboxRevoked) and status in str(raised.value)
