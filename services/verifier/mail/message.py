"""A message as every mail source returns it, the query they answer, and the interface they share."""

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    id: str  # stable within its mailbox, so a code is never used twice
    sender: str  # the From address, lower case
    recipients: tuple[str, ...]  # To and Cc addresses, lower case
    subject: str
    text: str
    html: str
    # The mailbox's own arrival time (Gmail internalDate, IMAP INTERNALDATE), never the Date header,
    # which the sender writes.
    received_at: datetime

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2]


@dataclass(frozen=True)
class MailQuery:
    recipient: str
    since: datetime  # timezone-aware; mailbox searches work by day, so sources filter on received_at
    sender_domains: tuple[str, ...] = ()  # empty: any sender


class MailSourceError(Exception):
    """The mailbox could not be read this time (network, server, throttling): try again later."""


class MailboxRevoked(MailSourceError):
    """The mailbox refuses us for good (revoked token, wrong password): the user must reconnect it."""


class MailSource(Protocol):
    async def search(self, query: MailQuery) -> list[MailMessage]:
        """Messages to the recipient from the sender domains that arrived at or after `since`."""
        ...

    async def close(self) -> None: ...


def from_raw(message_id: str, raw: bytes, received_at: datetime) -> MailMessage:
    """Parses an RFC 5322 message (IMAP BODY[], Gmail raw) into a MailMessage."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return MailMessage(
        id=message_id,
        sender=parseaddr(str(msg.get("From", "")))[1].lower(),
        recipients=addresses(str(msg.get("To", "")), str(msg.get("Cc", ""))),
        subject=" ".join(str(msg.get("Subject", "")).split()),
        text=_body(msg, "plain"),
        html=_body(msg, "html"),
        received_at=received_at,
    )


def addresses(*headers: str) -> tuple[str, ...]:
    return tuple(addr.lower() for _, addr in getaddresses([h for h in headers if h]) if addr)


def _body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    return str(part.get_content()) if part is not None else ""


def domain_matches(domain: str, allowed: tuple[str, ...]) -> bool:
    """`us.greenhouse-mail.io` is from `greenhouse-mail.io`; `greenhouse-mail.io.evil.example` is not."""
    domain = domain.lower()
    return not allowed or any(domain == d or domain.endswith("." + d) for d in (a.lower() for a in allowed))


def matches(message: MailMessage, query: MailQuery) -> bool:
    return (
        message.received_at >= query.since
        and query.recipient.lower() in message.recipients
        and domain_matches(message.sender_domain, query.sender_domains)
    )


def select(messages: list[MailMessage], query: MailQuery) -> list[MailMessage]:
    """The messages (given in arrival order) that answer the query exactly, newest first.

    Arrival order breaks ties: IMAP's INTERNALDATE has whole seconds only.
    """
    wanted = [m for m in reversed(messages) if matches(m, query)]
    return sorted(wanted, key=lambda m: m.received_at, reverse=True)
