"""The signed-in LinkedIn member: the addresses they choose from, their country, the resumes they
uploaded before, and how many Easy Apply applications they have left today."""

from datetime import UTC, datetime

from starlette.requests import Request

from sandbox.flags import JobFlags
from sandbox.gate import signed_in
from sandbox.pdf import make_pdf
from sandbox.records import ReceivedFile
from sandbox.state import sbx

SITE = "linkedin"
EARLIER_YEARS = (2026, 2025)  # two earlier resumes per member, the latest first
EARLIER_USED = ("Last used on 10/2/2026", "Last used on 3/14/2025")
DAILY_LIMIT = 30  # Easy Apply applications per member per day; people report being stopped at 30 to 100
LIMIT = (
    "You\u2019ve reached the Easy Apply application limit for today. Save this job and come back tomorrow to "
    "continue applying."
)


def member(request: Request) -> tuple[dict[str, str], list[str]]:
    """The signed-in member and the addresses they can choose from: the sign-in one and a second one."""
    email = signed_in(request, SITE)
    account = sbx(request).accounts.get(SITE, email) if email else None
    if account is None:
        return {}, []
    local, _, domain = account.email.partition("@")
    second = account.second_email or f"{local}.work@{domain}"
    member = {"name": account.name or account.email, "email": account.email, "country": account.country}
    return member, [account.email, second]


def limit_reached(request: Request, flags: JobFlags) -> bool:
    if flags.daily_limit:
        return True
    email = signed_in(request, SITE)
    if not email:
        return False
    today = datetime.now(UTC).date().isoformat()
    sent = [s for s in sbx(request).records.find(SITE, None, email) if s.received_at.startswith(today)]
    return len(sent) >= DAILY_LIMIT


def earlier_resumes(name: str) -> tuple[list[ReceivedFile], dict[str, bytes]]:
    """The resumes the member uploaded before, latest first, as LinkedIn keeps them."""
    stem = "_".join(name.split()) or "Resume"
    files, blobs = [], {}
    for year in EARLIER_YEARS:
        data = make_pdf(f"{name or 'Member'} - Resume {year}")
        upload = ReceivedFile.of("resume", f"{stem}_Resume_{year}.pdf", "application/pdf", data)
        files.append(upload)
        blobs[upload.sha256] = data
    return files, blobs
