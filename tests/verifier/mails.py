"""Made-up verification mail for the verifier's tests: the real platforms' wording, look-alikes around it."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

CANDIDATE = "ada.lovelace@example.org"
COMPANY = "Northwind Robotics"
GREENHOUSE = "no-reply@us.greenhouse-mail.io"
CODE = "hWze7RPl"


def mail(sender: tuple[str, str], to: str, subject: str, text: str, html: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def security_code(code: str, company: str = COMPANY, to: str = CANDIDATE, footer: bool = True) -> bytes:
    text = (
        f"Hi Ada,\n\nCopy and paste this code into the security code field on your application: {code}  "
        "After you enter the code, resubmit your application.\n"
    )
    if footer:
        text += "\n© 2026 Greenhouse Software, Inc. 18 W 18th St, New York NY 10011\n"
    return mail((company, GREENHOUSE), to, f"Security code for your application to {company}", text)


def job_alert(to: str = CANDIDATE) -> bytes:
    text = (
        "New jobs for you, Adaline:\n\nSecurity Engineer at Contoso - apply with code ZX81QW7R\n"
        "Your verification code is 55AB12 for the job board app.\n\n© 2026 Greenhouse, New York NY 10013\n"
    )
    return mail(("Greenhouse", "jobs@alerts.greenhouse-mail.io"), to, "Jobs you may be interested in", text)


def workday_link(link: str, company: str = COMPANY, tenant: str = "northwind", to: str = CANDIDATE) -> bytes:
    text = f"Hello,\n\nVerify your email address by opening this link:\n\n{link}\n"
    html = f'<p>Thanks for creating a candidate account with {company}.</p><p><a href="{link}">Verify Account</a></p>'
    subject = f"{company}: verify your candidate account"
    return mail((company, f"{tenant}@myworkday.com"), to, subject, text, html)


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
