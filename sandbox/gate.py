"""What every platform checks the same way: the job exists, the delay, the phone and email rules,
"already applied", and recording an accepted application."""

import asyncio
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request

from sandbox.flags import JobFlags, flag_query
from sandbox.jobs import Job
from sandbox.mailer import sender
from sandbox.records import Submission, confirmation_id
from sandbox.remember import cookie_name
from sandbox.state import SandboxState, sbx, session
from sandbox.uploads import Received

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
PHONE_CHARS_RE = re.compile(r"^[0-9+().\-\s]+$")
E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")


async def open_job(request: Request, site: str, job_id: str) -> tuple[Job, JobFlags]:
    """The job and its effective flags, after the job's configured delay; 404 when unknown."""
    state = sbx(request)
    job = state.catalog.get(site, job_id)
    if job is None:
        raise HTTPException(404, "No such job")
    flags = state.job_flags(job, request)
    if flags.delay_ms:
        await asyncio.sleep(flags.delay_ms / 1000)
    return job, flags


async def send_mail(request: Request, job: Job, to: str, subject: str, text: str, html: str = "") -> None:
    """The job's mail to the candidate, unless the job loses its mail (the `lose_mail` flag)."""
    state = sbx(request)
    if state.job_flags(job, request).lose_mail:
        return
    await state.mailer.send(sender(job.site, job.org, job.company), to, subject, text, html)


def qs(request: Request) -> str:
    """The flag query string of this request, to carry to the next page of the same flow."""
    return flag_query(request.query_params)


def email_ok(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip()))


def phone_ok(value: str, flags: JobFlags) -> bool:
    value = value.strip()
    if flags.phone_format == "e164":
        return bool(E164_RE.match(value))
    digits = sum(c.isdigit() for c in value)
    return bool(PHONE_CHARS_RE.match(value)) and 7 <= digits <= 15


def already_applied(state: SandboxState, job: Job, flags: JobFlags, email: str) -> bool:
    email = email.strip().lower()
    if email in flags.applied:
        return True
    return flags.dedupe and bool(state.records.find(job.site, job.job_id, email))


def signed_in(request: Request, realm: str) -> str | None:
    """The member this browser is signed in as: in its session, or by the site's long-lived cookie
    (a browser restarted with its profile keeps that one; the session cookie goes with the session)."""
    email = session(request).get(f"signed_in:{realm}")
    if email:
        return str(email)
    remembered = sbx(request).signins.lookup(realm, request.cookies.get(cookie_name(realm)))
    if remembered is None:
        return None
    session(request)[f"signed_in:{realm}"] = remembered.email
    return remembered.email


def is_captcha_field(name: str) -> bool:
    """CAPTCHA responses and tokens, visible or invisible: never part of what a candidate sent."""
    return "captcha" in name and name.endswith(("-response", "-token"))


def captcha_ok(request: Request, flags: JobFlags, token: str) -> bool:
    return not flags.captcha or sbx(request).captcha.valid(token)


async def accept(request: Request, job: Job, email: str, received: Received, token: str = "") -> Submission:
    """Record the application, redeem its CAPTCHA token and mail the candidate a confirmation."""
    state = sbx(request)
    await state.holds.wait(job.site, job.job_id)  # tests: the click has landed, the answer waits
    if token:
        state.captcha.redeem(token)
    for data in received.blobs.values():
        state.records.keep_upload(data)
    fields = {k: v for k, v in received.fields.items() if not is_captcha_field(k)}
    submission = Submission(
        confirmation_id(job.site),
        job.site,
        job.job_id,
        job.company,
        email.strip().lower(),
        fields,
        list(received.files),
    )
    state.records.add(submission)
    await send_mail(request, job, email, *confirmation_mail(job))
    return submission


def confirmation_mail(job: Job) -> tuple[str, str]:
    subjects = {
        "greenhouse": f"Thank you for applying to {job.company}",
        "lever": f"Thank you for your application to {job.company}",
        "ashby": f"Thanks for applying to {job.company}",
        "workday": f"Thank you for applying to {job.title} at {job.company}",
        "linkedin": f"Your application was sent to {job.company}",
    }
    subject = subjects.get(job.site, f"We received your application for {job.title}")
    text = (
        f"Hi,\n\nThank you for your interest in {job.company}. We received your application for "
        f"{job.title} ({job.location}). Our team will review it and get back to you if there is a "
        f"fit.\n\nBest regards,\n{job.company} Recruiting\n"
    )
    return subject, text
