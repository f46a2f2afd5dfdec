"""Notification mail: the notifications table is the outbox, this loop its relay to SMTP.

Every instance runs the loop; a row is leased before it is sent (two instances never send it at
once) and marked mailed after the SMTP server took it. A crash between the two sends that mail
again after the lease: at least once, never lost, and each copy has the same Message-ID (derived
from the notification), so a mail client shows one.
"""

import asyncio
import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from uuid import UUID

from runtime.service import Service
from services.intake import store_notifications as store
from services.intake.settings import IntakeSettings
from services.intake.store_notifications import Outgoing

log = logging.getLogger(__name__)
POLL_S = 1.0
BATCH = 20
# SMTP is a network call: a server that does not answer must not hold the loop for long.
SMTP_TIMEOUT_S = 15


def message(settings: IntakeSettings, to: str, subject: str, lines: list[str], msg_id: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{msg_id}@autoapply>"
    mail.set_content("\n".join(lines) + "\n")
    return mail


def single(settings: IntakeSettings, item: Outgoing) -> EmailMessage:
    link = settings.page_url() + item.link
    lines = [item.body, "", f"Open it: {link}", "", "You get this mail because of your notification settings."]
    return message(settings, item.email, item.title, lines, str(item.notification_id))


def digest(settings: IntakeSettings, items: list[Outgoing]) -> EmailMessage:
    lines = [f"{len(items)} things happened to your applications since the last digest:", ""]
    for item in items:
        lines += [f"- {item.title}", f"  {item.body}", f"  {settings.page_url() + item.link}", ""]
    lines.append(f"All of them: {settings.page_url()}/app/notifications")
    subject = f"Your applications today: {len(items)} update" + ("s" if len(items) != 1 else "")
    return message(settings, items[0].email, subject, lines, f"digest-{items[0].notification_id}")


def deliver(settings: IntakeSettings, mail: EmailMessage) -> None:
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(mail)


async def _send(svc: Service, mail: EmailMessage, items: list[Outgoing], digest_of: UUID | None = None) -> None:
    assert isinstance(svc.settings, IntakeSettings)
    ids = [i.notification_id for i in items]
    try:
        await asyncio.to_thread(deliver, svc.settings, mail)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("notification mail not sent (%s); retried after %s s", type(exc).__name__, store.LEASE_S)
        async with svc.pool.acquire() as conn:
            await store.failed(conn, ids, type(exc).__name__)
        return
    async with svc.pool.acquire() as conn, conn.transaction():
        await store.mailed(conn, ids, digest_of)


async def send_due(svc: Service, now: datetime) -> int:
    """One round: every single mail due, then every digest due; returns how many mails went out."""
    assert isinstance(svc.settings, IntakeSettings)
    async with svc.pool.acquire() as conn:
        singles = await store.lease_single(conn, BATCH)
        users = await store.due_digests(conn, now)
    for item in singles:
        await _send(svc, single(svc.settings, item), [item])
    for user_id in users:
        async with svc.pool.acquire() as conn, conn.transaction():
            items = await store.lease_digest(conn, user_id)
        if items:
            await _send(svc, digest(svc.settings, items), items, digest_of=user_id)
    return len(singles) + len(users)


async def run(svc: Service) -> None:
    """The relay; idle (the page still lists every notification) when no SMTP host is configured."""
    assert isinstance(svc.settings, IntakeSettings)
    if svc.settings.smtp_host is None:
        log.info("no AUTOAPPLY_SMTP_HOST: notifications are shown on the page, not mailed")
        await asyncio.Event().wait()  # a background job that ends makes the service unhealthy
    while True:
        try:
            await send_due(svc, datetime.now(UTC))
        except Exception:  # a database away, an unexpected row: the next round tries again
            log.exception("notification mail round failed")
        await asyncio.sleep(POLL_S)
