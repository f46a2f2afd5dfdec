"""Gmail through the Gmail API (google-api-python-client with its bundled discovery document).

`messages.list` searches by day (`after:` takes a date), so every message is fetched and filtered
on its internalDate: the time Google accepted it, which the sender cannot write.
"""

import asyncio
import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.errors import HttpError

from services.verifier.mail.message import (
    MailboxRevoked,
    MailMessage,
    MailQuery,
    MailSourceError,
    addresses,
    select,
)

TIMEOUT_S = 15.0
# `after:` is read in the account's time zone: a day earlier covers any zone.
DAY_MARGIN = timedelta(days=1)
# Verification mail of one day from a handful of senders; list's own default is 100.
MAX_RESULTS = 25
# Statuses that mean the grant is gone (refresh already failed inside the transport).
_REVOKED = {401}


class GmailMailbox:
    def __init__(self, credentials: Credentials, http: Any = None) -> None:
        self.credentials = credentials
        self._http = http if http is not None else httplib2.Http(timeout=TIMEOUT_S)
        authorized = AuthorizedHttp(credentials, http=self._http)
        # Imported here: the discovery client (with google.api_core) is most of a second of every
        # verifier's start, and a verifier without a Gmail mailbox never builds one.
        from googleapiclient.discovery import build

        self._service = build("gmail", "v1", http=authorized, static_discovery=True, cache_discovery=False)

    async def search(self, query: MailQuery) -> list[MailMessage]:
        return await asyncio.to_thread(self._search, query)

    async def close(self) -> None:
        if isinstance(self._http, httplib2.Http):  # a test's mock has nothing to close
            self._http.close()

    def _search(self, query: MailQuery) -> list[MailMessage]:
        try:
            messages = self._service.users().messages()
            listing = messages.list(userId="me", q=gmail_query(query), maxResults=MAX_RESULTS).execute()
            ids = [m["id"] for m in listing.get("messages", [])]
            found = [messages.get(userId="me", id=i, format="full").execute() for i in ids]
        except RefreshError as exc:
            raise MailboxRevoked("gmail: the refresh token was refused") from exc
        except HttpError as exc:
            kind = MailboxRevoked if exc.resp.status in _REVOKED else MailSourceError
            raise kind(f"gmail: HTTP {exc.resp.status}") from exc
        except (TransportError, httplib2.HttpLib2Error, OSError) as exc:
            raise MailSourceError(f"gmail: {type(exc).__name__}") from exc
        return select([from_gmail(m) for m in reversed(found)], query)  # list answers newest first


def gmail_query(query: MailQuery) -> str:
    day = (query.since.astimezone(UTC) - DAY_MARGIN).strftime("%Y/%m/%d")
    parts = [f"to:{query.recipient}", f"after:{day}"]
    if query.sender_domains:
        parts.append("{" + " ".join(f"from:{d}" for d in query.sender_domains) + "}")
    return " ".join(parts)


def from_gmail(message: dict[str, Any]) -> MailMessage:
    """A `format=full` Message resource: headers and the text/plain and text/html parts."""
    payload = message.get("payload", {})
    headers = {h["name"].lower(): h["value"] for h in payload.get("headers", [])}
    bodies: dict[str, list[str]] = {"text/plain": [], "text/html": []}
    for part in _parts(payload):
        data = part.get("body", {}).get("data")
        if part.get("mimeType") in bodies and data and not part.get("filename"):
            bodies[part["mimeType"]].append(_decode(data))
    return MailMessage(
        id=f"gmail:{message['id']}",
        sender=(addresses(headers.get("from", "")) or ("",))[0],
        recipients=addresses(headers.get("to", ""), headers.get("cc", "")),
        subject=" ".join(headers.get("subject", "").split()),
        text="\n".join(bodies["text/plain"]),
        html="\n".join(bodies["text/html"]),
        received_at=datetime.fromtimestamp(int(message["internalDate"]) / 1000, UTC),
    )


def _parts(part: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield part
    for child in part.get("parts", []) or []:
        yield from _parts(child)


def _decode(data: str) -> str:
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return raw.decode("utf-8", errors="replace")
