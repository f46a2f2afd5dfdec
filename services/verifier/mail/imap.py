"""IMAP mailboxes through aioimaplib: a day-granular SEARCH, then each message's INTERNALDATE."""

import asyncio
import re
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

import aioimaplib

from services.verifier.mail.message import (
    MailboxRevoked,
    MailMessage,
    MailQuery,
    MailSourceError,
    from_raw,
    select,
)

# One poll logs in, searches, fetches and logs out; a server slower than this is retried next poll.
TIMEOUT_S = 15.0
# Each command (and the greeting) within this: a silent server fails the look well inside TIMEOUT_S.
COMMAND_TIMEOUT_S = 5.0
# SEARCH SINCE compares dates in the server's time zone: one day earlier covers any zone.
DAY_MARGIN = timedelta(days=1)
# Enough for any day's verification mail; the newest are fetched first.
MAX_FETCH = 50
_FETCH_HEAD = re.compile(rb'UID (\d+) INTERNALDATE "([^"]+)"')
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    username: str
    password: str  # decrypted in memory only, for the length of one poll
    tls: bool = True
    folder: str = "INBOX"
    ca_file: str | None = None  # a private CA's certificate (a company's own mail server); else the system's


class ImapMailbox:
    def __init__(self, account: ImapAccount) -> None:
        self._account = account

    async def search(self, query: MailQuery) -> list[MailMessage]:
        try:
            return await asyncio.wait_for(self._search(query), TIMEOUT_S)
        except (TimeoutError, OSError, aioimaplib.Abort, aioimaplib.CommandTimeout) as exc:
            raise MailSourceError(f"imap: {type(exc).__name__}") from exc

    async def close(self) -> None:
        return None

    async def _search(self, query: MailQuery) -> list[MailMessage]:
        a = self._account
        client = _client(a)
        try:
            await client.wait_hello_from_server()
        except BaseException:
            _drop(client)
            raise
        try:
            if (await client.login(a.username, a.password)).result != "OK":
                raise MailboxRevoked("imap: the server refused the login")
            selected = await client.select(a.folder)
            _check(selected, "select")
            validity = _uidvalidity(selected.lines)
            uids = await self._uids(client, query)
            messages = [await self._fetch(client, validity, uid) for uid in uids[-MAX_FETCH:]]
        finally:
            await _logout(client)
        return select([m for m in messages if m is not None], query)

    async def _uids(self, client: aioimaplib.IMAP4, query: MailQuery) -> list[str]:
        criteria = ["SINCE", imap_date(query.since - DAY_MARGIN), "TO", _quoted(query.recipient)]
        found = await client.uid_search(*criteria, charset=None)
        _check(found, "search")
        return [uid for line in found.lines[:-1] for uid in line.decode().split()]

    async def _fetch(self, client: aioimaplib.IMAP4, validity: str, uid: str) -> MailMessage | None:
        answer = await client.uid("fetch", uid, "(UID INTERNALDATE BODY.PEEK[])")
        _check(answer, "fetch")
        head = next((line for line in answer.lines if isinstance(line, bytes) and _FETCH_HEAD.search(line)), None)
        body = next((bytes(line) for line in answer.lines if isinstance(line, bytearray)), None)
        if head is None or body is None:
            return None  # expunged between SEARCH and FETCH
        found = _FETCH_HEAD.search(head)
        assert found is not None
        received = datetime.strptime(found.group(2).decode(), "%d-%b-%Y %H:%M:%S %z")
        return from_raw(f"imap:{validity}:{found.group(1).decode()}", body, received)


def _client(a: ImapAccount) -> aioimaplib.IMAP4:
    if not a.tls:
        return aioimaplib.IMAP4(a.host, a.port, timeout=COMMAND_TIMEOUT_S)
    context = ssl.create_default_context(cafile=a.ca_file)
    return aioimaplib.IMAP4_SSL(a.host, a.port, timeout=COMMAND_TIMEOUT_S, ssl_context=context)


def imap_date(when: datetime) -> str:
    """RFC 3501 date, with English month names whatever the locale."""
    return f"{when.day:02d}-{_MONTHS[when.month - 1]}-{when.year}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(lines: list[bytes]) -> str:
    found = next((m for m in (_UIDVALIDITY.search(line) for line in lines if isinstance(line, bytes)) if m), None)
    return found.group(1).decode() if found else "0"


def _check(response: aioimaplib.Response, what: str) -> None:
    if response.result != "OK":
        raise MailSourceError(f"imap: {what} answered {response.result}")


async def _logout(client: aioimaplib.IMAP4) -> None:
    try:
        await client.logout()
    except (TimeoutError, OSError, aioimaplib.Abort, aioimaplib.CommandTimeout):
        pass  # the server drops idle connections anyway
    finally:
        _drop(client)


def _drop(client: aioimaplib.IMAP4) -> None:
    """Closes the connection whatever state it is in (no greeting, a failed handshake, a dead server)."""
    transport = getattr(client.protocol, "transport", None)
    if transport is not None and not transport.is_closing():
        transport.close()
