"""The sandbox's mailbox, read over its HTTP API (sandbox mode only: the sandbox stands for the
world's mail servers, and the product never imports it)."""

from datetime import datetime
from email.utils import parseaddr
from typing import Any

import httpx

from services.verifier.mail.message import MailMessage, MailQuery, MailSourceError, addresses, select

MAILBOX_PATH = "/_admin/mailbox"
# The sandbox answers on loopback in milliseconds; a slower answer is a failed poll, retried later.
TIMEOUT_S = 5.0


class SandboxMailbox:
    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT_S)

    async def search(self, query: MailQuery) -> list[MailMessage]:
        params = {"to": query.recipient, "since": query.since.isoformat()}
        try:
            answer = await self._client.get(self._base + MAILBOX_PATH, params=params)
            answer.raise_for_status()
            rows = answer.json()["messages"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise MailSourceError(f"sandbox mailbox: {type(exc).__name__}") from exc
        return select([_message(row) for row in rows], query)

    async def close(self) -> None:
        await self._client.aclose()


def _message(row: dict[str, Any]) -> MailMessage:
    return MailMessage(
        id=f"sandbox:{row['id']}",
        sender=parseaddr(str(row["from"]))[1].lower(),
        # The headers, as in every mailbox: the sink's envelope recipients are the delivery, not the address.
        recipients=addresses(str(row["to"])),
        subject=" ".join(str(row["subject"]).split()),
        text=str(row["text"]),
        html=str(row["html"]),
        received_at=datetime.fromisoformat(str(row["received_at"])),
    )
