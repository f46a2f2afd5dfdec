"""The careers page's second step: the knock-out question, the expected salary with its currency
and period, and the most recent job with pop-up month pickers; then the application of both steps
is kept."""

import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, qs
from sandbox.html import captcha_widget, esc
from sandbox.jobs import Job
from sandbox.sites import careers_widgets as cw
from sandbox.sites.careers import ALREADY, View, open_posting, page_for, trapped
from sandbox.state import sbx, session
from sandbox.uploads import Received, read_form

MONTH_RE = re.compile(r"(0[1-9]|1[0-2])/(\d{4})")


def more_form(view: View, action: str, captcha: bool, hidden: str, banner: str) -> str:
    """Step 2 of 2: the knock-out question and the salary with its currency and period."""

    def options(name: str, values: tuple[str, ...]) -> str:
        chosen = view.received.text(name)
        return "".join(f"<option{' selected' if o == chosen else ''}>{esc(o)}</option>" for o in values)

    return (
        f'{view.box(banner)}<form method="post" action="{esc(action)}" class="apply" novalidate>{hidden}'
        '<p class="step">Step 2 of 2</p><section class="form-section"><h2>A few more questions</h2>'
        + view.radios("adult", cw.KNOCKOUT + " *", ("Yes", "No"))
        + f'<div class="row"><label for="salary-{view.s}">Expected salary</label>{view.err("salary_amount")}'
        f'<input id="salary-{view.s}" name="salary_amount" type="text" inputmode="numeric"'
        f' value="{view.v("salary_amount")}"></div>'
        f'<div class="row"><label for="currency-{view.s}">Currency</label>{view.err("salary_currency")}'
        f'<select id="currency-{view.s}" name="salary_currency"><option value="">Please choose</option>'
        f"{options('salary_currency', cw.CURRENCIES)}</select></div>"
        f'<div class="row"><label for="period-{view.s}">Per</label>{view.err("salary_period")}'
        f'<select id="period-{view.s}" name="salary_period"><option value="">Please choose</option>'
        f"{options('salary_period', cw.PERIODS)}</select></div></section>"
        + recent_job(view)
        + (captcha_widget("g") + view.err("captcha") if captcha else "")
        + '<button type="submit" class="send">Send application</button></form>'
    )


def recent_job(view: View) -> str:
    """The most recent job, all optional: its title, employer, and months in pop-up month pickers."""
    current = " checked" if view.received.text("recent_current") else ""
    return (
        '<section class="form-section"><h2>Your most recent job</h2>'
        f'<div class="row"><label for="recent-title-{view.s}">Job title</label>{view.err("recent_title")}'
        f'<input id="recent-title-{view.s}" name="recent_title" type="text" value="{view.v("recent_title")}"></div>'
        f'<div class="row"><label for="recent-employer-{view.s}">Employer</label>{view.err("recent_employer")}'
        f'<input id="recent-employer-{view.s}" name="recent_employer" type="text"'
        f' value="{view.v("recent_employer")}"></div>'
        + cw.month_picker("recent_from", "From", view.received.text("recent_from"), view.err("recent_from"), view.s)
        + cw.month_picker("recent_to", "To", view.received.text("recent_to"), view.err("recent_to"), view.s)
        + f'<div class="row"><label><input type="checkbox" name="recent_current" value="yes"{current}>'
        " I currently work here</label></div></section>"
    )


def more_page(request: Request, job: Job, flags: JobFlags, view: View, banner: str = "") -> str:
    hidden = cw.hidden_fields(session(request))
    inner = f"<h1>{esc(job.title)}</h1>" + more_form(
        view, f"{job.path}/more{qs(request)}", flags.captcha, hidden, banner
    )
    return page_for(request, job, inner)


async def more(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    if f"careers-draft:{job.job_id}" not in session(request):
        return RedirectResponse(f"{job.path}{qs(request)}", status_code=303)
    return HTMLResponse(more_page(request, job, flags, View(job)))


def _more_errors(received: Received) -> dict[str, str]:
    errors: dict[str, str] = {}
    if received.text("adult") not in ("Yes", "No"):
        errors["adult"] = f"Answer the question: {cw.KNOCKOUT}"
    amount = received.text("salary_amount").replace(",", "").strip()
    if amount and not amount.isdigit():
        errors["salary_amount"] = "Enter the salary as a whole number, like 65000"
    if amount and received.text("salary_currency") not in cw.CURRENCIES:
        errors["salary_currency"] = "Choose the currency of your expected salary"
    if amount and received.text("salary_period") not in cw.PERIODS:
        errors["salary_period"] = "Choose whether the salary is per year, month or hour"
    return errors | _recent_errors(received)


def _month(text: str) -> tuple[int, int] | None:
    found = MONTH_RE.fullmatch(text.strip())
    return (int(found.group(2)), int(found.group(1))) if found and 1 <= int(found.group(1)) <= 12 else None


def _recent_errors(received: Received) -> dict[str, str]:
    errors: dict[str, str] = {}
    started, ended = received.text("recent_from"), received.text("recent_to")
    for name, text in (("recent_from", started), ("recent_to", ended)):
        if text and _month(text) is None:
            errors[name] = f"Enter the month as {cw.MONTH_FORMAT}"
    if (started or ended) and not received.text("recent_title"):
        errors["recent_title"] = "Enter the job title of your most recent job"
    if ended and received.text("recent_current"):
        errors["recent_to"] = "Leave the end empty for a job you still have"
    first, last = _month(started), _month(ended)
    if first and last and last < first:
        errors["recent_to"] = "The end cannot come before the start"
    return errors


async def more_submit(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    draft: Received | None = session(request).get(f"careers-draft:{job.job_id}")
    received = await read_form(request)
    if draft is None:
        return RedirectResponse(f"{job.path}{qs(request)}", status_code=303)
    if (stop := trapped(request, job, received)) is not None:
        return stop
    errors = _more_errors(received)
    token = received.text("g-recaptcha-response")
    if not captcha_ok(request, flags, token):
        errors["captcha"] = "Complete the security check"
    if errors:
        return HTMLResponse(more_page(request, job, flags, View(job, received, errors)), 400)
    if received.text("adult") == "No":  # the knock-out: the application ends here, and is not kept
        session(request).pop(f"careers-draft:{job.job_id}", None)
        inner = f'<h1>{esc(job.title)}</h1><div class="closed" role="status">{esc(cw.NOT_ELIGIBLE)}</div>'
        return HTMLResponse(page_for(request, job, inner))
    email = draft.text("contact_email")
    if already_applied(sbx(request), job, flags, email):
        return HTMLResponse(more_page(request, job, flags, View(job, received), ALREADY), 409)
    received.fields.pop(cw.CSRF_FIELD, None)
    merged = Received(fields=draft.fields | received.fields, files=draft.files, blobs=draft.blobs)
    submission = await accept(request, job, email, merged, token)
    session(request).pop(f"careers-draft:{job.job_id}", None)
    return RedirectResponse(f"{job.path}/thanks?ref={submission.confirmation_id}", status_code=303)


def routes() -> list[Route]:
    return [
        Route("/careers/jobs/{slug}/more", more),
        Route("/careers/jobs/{slug}/more", more_submit, methods=["POST"]),
    ]
