"""Outgoing mail: each platform writes from its own real-looking sender, over SMTP to the sink."""

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

SMTP_TIMEOUT_S = 10  # the sink is on loopback; anything slower is a bug worth seeing


def sender(site: str, org: str, company: str) -> tuple[str, str]:
    """(display name, address) as each platform sends candidate mail."""
    senders = {
        "greenhouse": (company, "no-reply@us.greenhouse-mail.io"),
        "lever": (company, "no-reply@hire.lever.co"),
        "ashby": (f"{company} Recruiting", "no-reply@ashbyhq.com"),
        "workday": (company, f"{org}@myworkday.com"),
        "linkedin": ("LinkedIn", "jobs-noreply@linkedin.com"),
    }
    return senders.get(site, (f"{company} Careers", f"careers@{org}.example.com"))


class Mailer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    async def send(self, frm: tuple[str, str], to: str, subject: str, text: str, html: str = "") -> None:
        msg = EmailMessage()
        msg["From"] = formataddr(frm)
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=frm[1].split("@")[-1])
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
        await asyncio.to_thread(self._deliver, msg)

    def _deliver(self, msg: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_S, local_hostname="sandbox.localhost") as smtp:
            smtp.send_message(msg)
