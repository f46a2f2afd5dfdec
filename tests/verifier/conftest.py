"""The three mailboxes of the behaviour suite, each delivering mail its own way:
Gmail (the Gmail API through HttpMockSequence), IMAP (a real Dovecot; mail APPENDed) and the
sandbox (a real sandbox process; mail sent to its SMTP sink)."""

import smtplib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aioimaplib
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.http import HttpMockSequence

from autoapply.local import ImapServer
from services.verifier.mail.gmail import GmailMailbox
from services.verifier.mail.imap import ImapAccount, ImapMailbox
from services.verifier.mail.message import MailSource
from services.verifier.mail.sandbox import SandboxMailbox
from tests.sandbox.harness import Sandbox, start_sandbox, stop_sandbox
from tests.verifier import gmailfake

IMAP_PASSWORD = "imap-test-pass-1"


def unique_address() -> str:
    return f"ada.{uuid.uuid4().hex[:10]}@example.org"


class GmailBox:
    """Messages kept here; each search is answered by a fresh HttpMockSequence of list + get."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._messages: list[tuple[str, bytes, datetime]] = []
        self.http: HttpMockSequence | None = None

    async def deliver(self, raw: bytes) -> None:
        self._messages.append((f"18c{len(self._messages):013x}", raw, datetime.now(UTC)))

    def source(self) -> MailSource:
        # Gmail's own search is by day: it answers with every message, newest first.
        newest = sorted(self._messages, key=lambda m: m[2], reverse=True)
        responses = [(gmailfake.OK, gmailfake.listing([m[0] for m in newest]))]
        responses += [
            (gmailfake.OK, _json(gmailfake.message(mid, raw, int(at.timestamp() * 1000)))) for mid, raw, at in newest
        ]
        self.http = HttpMockSequence(responses)
        return GmailMailbox(valid_credentials(), http=self.http)


def _json(data: object) -> str:
    import json

    return json.dumps(data)


def valid_credentials() -> Credentials:
    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
    return Credentials(  # type: ignore[no-untyped-call]
        token="ya29.test-access",
        refresh_token="1//test-refresh",
        token_uri="https://oauth2.googleapis.com/token",
        client_id="client-1.apps.example.org",
        client_secret="client-secret",
        scopes=["https://www.googleapis.com/auth/gmail.readonly"],
        expiry=expiry,
    )


class ImapBox:
    def __init__(self, server: ImapServer, address: str) -> None:
        self.address = address
        self._server = server
        server.add_user(address, IMAP_PASSWORD)

    async def deliver(self, raw: bytes) -> None:
        client = aioimaplib.IMAP4(self._server.host, self._server.port)
        await client.wait_hello_from_server()
        try:
            assert (await client.login(self.address, IMAP_PASSWORD)).result == "OK"
            assert (await client.append(raw, mailbox="INBOX")).result == "OK"
        finally:
            await client.logout()

    def source(self) -> MailSource:
        return ImapMailbox(ImapAccount(self._server.host, self._server.port, self.address, IMAP_PASSWORD, tls=False))


class SandboxBox:
    def __init__(self, sandbox: Sandbox, address: str) -> None:
        self.address = address
        self._sandbox = sandbox

    async def deliver(self, raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self._sandbox.smtp_port, timeout=10) as smtp:
            smtp.sendmail("bounce@mailer.example.net", [self.address], raw)

    def source(self) -> MailSource:
        return SandboxMailbox(self._sandbox.http)


Box = GmailBox | ImapBox | SandboxBox


@pytest.fixture(scope="session")
def imap_tls_server(servers_dir: Path) -> Iterator[ImapServer]:
    """Dovecot speaking IMAP over TLS only, with a self-signed certificate for 127.0.0.1."""
    server = ImapServer(servers_dir / "imap-tls", tls=True)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def sandbox_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("verifier-sandbox") / "state")
    try:
        yield box
    finally:
        box.client.close()
        stop_sandbox(box.proc)


@pytest.fixture(params=["gmail", "imap", "sandbox"])
async def mailbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Box]:
    address = unique_address()
    if request.param == "gmail":
        yield GmailBox(address)
    elif request.param == "imap":
        yield ImapBox(request.getfixturevalue("imap_server"), address)
    else:
        yield SandboxBox(request.getfixturevalue("sandbox_site"), address)
