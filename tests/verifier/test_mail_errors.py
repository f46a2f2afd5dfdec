"""What IMAP and the sandbox's mailbox say when they cannot be read."""

import pytest

from autoapply.local import ImapServer
from autoapply.local.ports import free_port
from services.verifier.mail.imap import ImapAccount, ImapMailbox
from services.verifier.mail.message import MailboxRevoked, MailQuery, MailSourceError
from services.verifier.mail.sandbox import SandboxMailbox
from tests.verifier import mails
from tests.verifier.conftest import IMAP_PASSWORD, unique_address

pytestmark = pytest.mark.integration

QUERY = MailQuery(mails.CANDIDATE, mails.ago(1))


async def test_a_wrong_imap_password_means_reconnect(imap_server: ImapServer) -> None:
    address = unique_address()
    imap_server.add_user(address, IMAP_PASSWORD)
    wrong = ImapMailbox(ImapAccount(imap_server.host, imap_server.port, address, "not-the-password", tls=False))
    with pytest.raises(MailboxRevoked):
        await wrong.search(QUERY)


async def test_imap_over_tls_reads_mail_and_refuses_an_untrusted_certificate(imap_tls_server: ImapServer) -> None:
    address = unique_address()
    imap_tls_server.add_user(address, IMAP_PASSWORD)
    host, port, ca = imap_tls_server.host, imap_tls_server.port, str(imap_tls_server.ca_file)
    trusted = ImapMailbox(ImapAccount(host, port, address, IMAP_PASSWORD, ca_file=ca))
    assert await trusted.search(MailQuery(address, mails.ago(1))) == []  # logged in, searched, logged out
    untrusted = ImapMailbox(ImapAccount(host, port, address, IMAP_PASSWORD))  # the system's CAs only
    with pytest.raises(MailSourceError) as raised:
        await untrusted.search(MailQuery(address, mails.ago(1)))
    assert not isinstance(raised.value, MailboxRevoked)
    plain = ImapMailbox(ImapAccount(host, port, address, IMAP_PASSWORD, tls=False))  # no clear text offered
    with pytest.raises(MailSourceError):
        await plain.search(MailQuery(address, mails.ago(1)))


async def test_an_imap_server_that_is_not_there_is_worth_another_look() -> None:
    gone = ImapMailbox(ImapAccount("127.0.0.1", free_port(), "ada@example.org", "x", tls=False))
    with pytest.raises(MailSourceError) as raised:
        await gone.search(QUERY)
    assert not isinstance(raised.value, MailboxRevoked)


async def test_a_sandbox_that_is_not_there_is_worth_another_look() -> None:
    gone = SandboxMailbox(f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(MailSourceError):
            await gone.search(QUERY)
    finally:
        await gone.close()
