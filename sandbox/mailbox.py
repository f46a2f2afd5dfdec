"""The local mailbox: an SMTP sink that accepts mail from anyone for anyone, and a store to read it back."""

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # resumes attached to mail stay well under this


@dataclass(frozen=True)
class Mail:
    id: str
    mail_from: str  # the SMTP envelope sender
    rcpt_to: tuple[str, ...]  # the SMTP envelope recipients
    from_: str
    to: str
    subject: str
    text: str
    html: str
    received_at: str
    raw: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mail_from": self.mail_from,
            "rcpt_to": list(self.rcpt_to),
            "from": self.from_,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "received_at": self.received_at,
        }

    def addressed_to(self, address: str) -> bool:
        wanted = address.strip().lower()
        header = [addr.lower() for _, addr in getaddresses([self.to])]
        return wanted in header or wanted in (r.lower() for r in self.rcpt_to)


def _body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    return str(part.get_content()) if part is not None else ""


def parse(mail_id: str, mail_from: str, rcpt_to: list[str], raw: bytes) -> Mail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return Mail(
        id=mail_id,
        mail_from=mail_from,
        rcpt_to=tuple(rcpt_to),
        from_=str(msg.get("From", "")),
        to=str(msg.get("To", "")),
        subject=str(msg.get("Subject", "")),
        text=_body(msg, "plain"),
        html=_body(msg, "html"),
        received_at=datetime.now(UTC).isoformat(),
        raw=raw,
    )


class MailStore:
    def __init__(self, state_dir: Path) -> None:
        self._mails: list[Mail] = []
        self._dir = state_dir / "mail"
        self._dir.mkdir(parents=True, exist_ok=True)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, mail_from: str, rcpt_to: list[str], raw: bytes) -> Mail:
        with self._lock:
            mail = parse(f"m{next(self._ids):05d}", mail_from, rcpt_to, raw)
            self._mails.append(mail)
            (self._dir / f"{mail.id}.eml").write_bytes(raw)
            with (self._dir.parent / "mailbox.jsonl").open("a", encoding="utf-8") as out:
                out.write(json.dumps(mail.as_json()) + "\n")
        return mail

    def get(self, mail_id: str) -> Mail | None:
        return next((m for m in self._mails if m.id == mail_id), None)

    def find(self, to: str | None = None, since: datetime | None = None) -> list[Mail]:
        found = [m for m in self._mails if to is None or m.addressed_to(to)]
        if since is not None:
            found = [m for m in found if datetime.fromisoformat(m.received_at) >= since]
        return found

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


class SinkHandler:
    """aiosmtpd handler: every recipient is accepted and every message is stored."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.store.add(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        return "250 Message accepted for delivery"


async def start_sink(store: MailStore, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    handler = SinkHandler(store)

    def protocol() -> SMTP:
        return SMTP(
            handler,
            hostname="mail.sandbox.localhost",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            loop=loop,
        )

    return await loop.create_server(protocol, host, port)
