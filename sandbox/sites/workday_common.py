"""Workday pieces shared by the account pages and the application wizard."""

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from sandbox.flags import JobFlags
from sandbox.gate import open_job, signed_in
from sandbox.html import esc, page
from sandbox.jobs import WORKDAY_SITE, Job

SITE = "workday"
CLOSED = "This job posting is no longer accepting applications."
CSS, JS = ("workday.css",), ("captcha-host.js", "workday.js", "workday-widgets.js")


def realm(job: Job) -> str:
    """Workday accounts belong to one tenant: the same email needs a new account per employer."""
    return f"workday:{job.org}"


def shell(job: Job, request: Request, inner: str) -> str:
    who = signed_in(request, realm(job))
    user = (
        f'<span data-automation-id="utilityMenuButton" class="wd-user">{esc(who)}</span>'
        if who
        else f'<a data-automation-id="utilityButtonSignIn" href="{apply_path(job)}?mode=signin">Sign In</a>'
    )
    return (
        f'<header class="wd-header" data-automation-id="header"><a class="wd-logo" href="/workday/{job.org}/'
        f'{WORKDAY_SITE}">{esc(job.company)}</a><nav class="wd-nav">'
        f'<a data-automation-id="navigationItem-Search for Jobs" href="/workday/{job.org}/{WORKDAY_SITE}">'
        f'Search for Jobs</a>{user}</nav></header><main class="wd-main">{inner}</main>'
        '<footer class="wd-footer-bar">&copy; Workday, Inc. All rights reserved.</footer>'
    )


def apply_path(job: Job) -> str:
    return f"{job.path}/apply/applyManually"


async def open_posting(request: Request) -> tuple[Job, JobFlags, Response | None]:
    job_id = request.path_params["slug"].rsplit("_", 1)[-1]
    job, flags = await open_job(request, SITE, job_id)
    if flags.closed:
        inner = (
            f'<div class="wd-notice" data-automation-id="jobPostingClosed"><h2>{esc(job.title)}</h2>'
            f"<p>{esc(CLOSED)}</p></div>"
        )
        return job, flags, HTMLResponse(page(job.title, shell(job, request, inner), css=CSS))
    return job, flags, None
