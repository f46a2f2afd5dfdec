"""A company's own careers page with a hand-made form that matches no ATS.

Its labels come in every style a generic filler meets: label[for], a wrapping label, aria-labelledby,
aria-label, placeholder only, fieldset/legend radio groups; plus a native select, a date input and a
file input. Ids carry a per-job suffix and the name fields change names between jobs.
"""

import datetime as dt

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import pools
from sandbox.flags import JobFlags
from sandbox.gate import email_ok, open_job, phone_ok, qs, signed_in
from sandbox.html import description, esc, page
from sandbox.jobs import Job, Question
from sandbox.records import confirmation_id
from sandbox.signin import login_url
from sandbox.sites import careers_widgets as cw
from sandbox.state import sbx, session
from sandbox.uploads import Received, read_form

SITE = "careers"
CSS, JS = ("careers.css",), ("captcha-host.js", "careers.js")
EXPIRED = "Your session has expired. Please reload the page and try again."
CLOSED = "This vacancy has closed and is no longer accepting applications."
ALREADY = "You have already applied for this role with this email address."
PATTERNS = ("Remote", "Hybrid", "On-site")


def names(job: Job) -> tuple[str, str]:
    return ("first_name", "surname") if job.index % 2 == 0 else ("given_name", "family_name")


class View:
    def __init__(self, job: Job, received: Received | None = None, errors: dict[str, str] | None = None) -> None:
        self.job, self.s = job, job.ids.get("suffix", "0")
        self.received, self.errors = received or Received(), errors or {}

    def v(self, name: str) -> str:
        return esc(self.received.text(name))

    def err(self, name: str) -> str:
        message = self.errors.get(name)
        return f'<span class="field-error" id="{name}-error-{self.s}">{esc(message)}</span>' if message else ""

    def radios(self, name: str, legend: str, options: tuple[str, ...]) -> str:
        chosen = self.received.text(name)
        items = "".join(
            f'<label class="radio"><input type="radio" name="{esc(name)}" value="{esc(o)}"'
            f"{' checked' if o == chosen else ''}> {esc(o)}</label>"
            for o in options
        )
        return f'<fieldset class="group"><legend>{esc(legend)}</legend>{self.err(name)}{items}</fieldset>'

    def about(self) -> str:
        first, last = names(self.job)
        s = self.s
        return (
            '<section class="form-section"><h2>About you</h2>'
            f'<div class="row"><label for="fn-{s}">First name *</label>{self.err(first)}'
            f'<input id="fn-{s}" name="{first}" type="text" value="{self.v(first)}"></div>'
            f'<div class="row"><label>Surname * {self.err(last)}<input name="{last}" type="text"'
            f' value="{self.v(last)}"></label></div>'
            f'<div class="row"><span id="mail-label-{s}" class="label">Your email address *</span>'
            f'{self.err("contact_email")}<input type="email" name="contact_email" aria-labelledby="mail-label-{s}"'
            f' value="{self.v("contact_email")}"></div>'
            + cw.phone_picker(self.received.text("tel"), self.received.text("tel_country"), self.err("tel"))
            + cw.english_level(self.received.text("english_level"), self.err("english_level"))
            + "</section>"
        )

    def question(self, q: Question) -> str:
        fid = f"{q.qid}-{self.s}"
        if q.kind == "yesno":
            return self.radios(q.qid, q.label + (" *" if q.required else ""), q.options)
        if q.kind == "select":
            chosen = self.received.text(q.qid)
            opts = "".join(f"<option{' selected' if o == chosen else ''}>{esc(o)}</option>" for o in q.options)
            return (
                f'<div class="row"><label for="{fid}">{esc(q.label)}</label>{self.err(q.qid)}'
                f'<select id="{fid}" name="{q.qid}"><option value="">Please choose</option>{opts}</select></div>'
            )
        if q.kind == "textarea":
            return (
                f'<div class="row">{self.err(q.qid)}<textarea name="{q.qid}" aria-label="{esc(q.label)}"'
                f' placeholder="{esc(q.label)}">{self.v(q.qid)}</textarea></div>'
            )
        return (
            f'<div class="row"><label for="{fid}">{esc(q.label)}</label>{self.err(q.qid)}'
            f'<input id="{fid}" name="{q.qid}" type="text" value="{self.v(q.qid)}"></div>'
        )

    def eligibility(self) -> str:
        s = self.s
        return (
            '<section class="form-section"><h2>Your situation</h2>'
            + "".join(self.question(q) for q in self.job.questions)
            + f'<div class="row"><label for="start-{s}">Earliest start date *</label>{self.err("start_date")}'
            f'<input id="start-{s}" name="start_date" type="date" value="{self.v("start_date")}"></div>'
            + self.radios("work_pattern", "Preferred way of working", PATTERNS)
            + "</section>"
        )

    def documents(self) -> str:
        s = self.s
        heard = self.received.text("heard_from")
        opts = "".join(f"<option{' selected' if o == heard else ''}>{esc(o)}</option>" for o in pools.HEAR_ABOUT)
        return (
            '<section class="form-section"><h2>Documents</h2>'
            f'<div class="row"><label for="cv-{s}">Upload your CV (PDF or Word) *</label>{self.err("cv")}'
            f'<input id="cv-{s}" name="cv" type="file" accept=".pdf,.doc,.docx"></div>'
            f'<div class="row"><label for="heard-{s}">Where did you hear about us?</label>'
            f'<select id="heard-{s}" name="heard_from"><option value="">Please choose</option>{opts}</select></div>'
            f'<div class="row"><textarea name="cover_note" aria-label="Cover note" rows="5">{self.v("cover_note")}'
            "</textarea></div></section>"
        )

    def box(self, banner: str) -> str:
        summary = "".join(f"<li>{esc(m)}</li>" for m in self.errors.values())
        return (
            f'<div class="error-summary" role="alert"><h2>There is a problem</h2>'
            f"<p>{esc(banner)}</p><ul>{summary}</ul></div>"
            if banner or summary
            else ""
        )

    def form(self, action: str, hidden: str, banner: str) -> str:
        sections = {"about": self.about, "eligibility": self.eligibility, "documents": self.documents}
        consent = self.received.text("consent")
        return (
            f'{self.box(banner)}<form method="post" action="{esc(action)}" enctype="multipart/form-data"'
            f' class="apply" novalidate>{hidden}<p class="step">Step 1 of 2</p>'
            + "".join(sections[name]() for name in self.job.layout)
            + f'<div class="row consent">{self.err("consent")}<label><input type="checkbox" name="consent" value="yes"'
            f"{' checked' if consent else ''}> I agree to the privacy notice *</label></div>"
            + '<button type="submit" class="send">Continue</button></form>'
        )


def _shell(job: Job | None, inner: str) -> str:
    company = job.company if job else pools.COMPANIES[-1][0]
    return (
        f'<header class="site-header"><a href="/careers/">{esc(company)}</a><span>Careers</span></header>'
        f'<main class="site-main">{inner}</main><footer class="site-footer">&copy; {esc(company)}</footer>'
    )


async def index(request: Request) -> Response:
    jobs = [j for j in sbx(request).catalog.site(SITE) if not j.defaults.closed]
    rows = "".join(f'<li><a href="{j.path}">{esc(j.title)}</a> <span>{esc(j.location)}</span></li>' for j in jobs)
    return HTMLResponse(page("Careers", _shell(None, f'<h1>Join us</h1><ul class="openings">{rows}</ul>'), css=CSS))


async def open_posting(request: Request) -> tuple[Job, JobFlags, Response | None]:
    job, flags = await open_job(request, SITE, request.path_params["slug"])
    if flags.closed:
        return (
            job,
            flags,
            HTMLResponse(
                page(job.title, _shell(job, f'<h1>{esc(job.title)}</h1><p class="closed">{esc(CLOSED)}</p>'), css=CSS)
            ),
        )
    if flags.login_wall and not signed_in(request, SITE):
        return job, flags, RedirectResponse(login_url(SITE, f"{job.path}{qs(request)}"), status_code=303)
    return job, flags, None


def page_for(request: Request, job: Job, inner: str) -> str:
    banner = "" if request.cookies.get("cookie_consent") else cw.COOKIE_BANNER
    return page(f"{job.title} | {job.company} Careers", _shell(job, inner) + banner, css=CSS, js=JS)


def _job_page(request: Request, job: Job, flags: JobFlags, view: View, banner: str = "") -> str:
    hidden = cw.hidden_fields(session(request))
    inner = (
        f'<h1>{esc(job.title)}</h1><p class="meta">{esc(job.location)} &middot; {esc(job.department)}</p>'
        f'<div class="description">{description(job, "h2")}</div><h2 id="apply">Apply for this role</h2>'
        + view.form(f"{job.path}{qs(request)}", hidden, banner)
    )
    return page_for(request, job, inner)


async def job_page(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    return blocked or HTMLResponse(_job_page(request, job, flags, View(job)))


def _errors(job: Job, flags: JobFlags, received: Received) -> dict[str, str]:
    first, last = names(job)
    labels = {
        first: "Enter your first name",
        last: "Enter your surname",
        "contact_email": "Enter your email address",
        "tel": "Enter your phone number",
        "start_date": "Enter your earliest start date",
        "consent": "You must agree to the privacy notice",
        "english_level": "Choose your level of English",
    }
    labels |= {q.qid: f"Answer the question: {q.label}" for q in job.questions if q.required}
    errors = {name: message for name, message in labels.items() if not received.text(name)}
    if received.file("cv") is None:
        errors["cv"] = "Upload your CV"
    if received.text("contact_email") and not email_ok(received.text("contact_email")):
        errors["contact_email"] = "Enter an email address in the correct format, like name@example.com"
    if received.text("tel") and not phone_ok(received.text("tel"), flags):
        errors["tel"] = "Enter a phone number, like +44 7700 900982"
    if received.text("start_date"):
        try:
            dt.date.fromisoformat(received.text("start_date"))
        except ValueError:
            errors["start_date"] = "Enter a real date"
    return errors


def trapped(request: Request, job: Job, received: Received) -> Response | None:
    """A stale or missing CSRF token is refused; a filled honeypot gets a thank-you and nothing kept."""
    if received.text(cw.CSRF_FIELD) != cw.csrf(session(request)):
        view = View(job, received)
        return HTMLResponse(_job_page(request, job, job.defaults, view, EXPIRED), 403)
    if received.text(cw.HONEYPOT):
        return RedirectResponse(f"{job.path}/thanks?ref={confirmation_id(SITE)}", status_code=303)
    return None


async def apply(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    received = await read_form(request)
    if (stop := trapped(request, job, received)) is not None:
        return stop
    errors = _errors(job, flags, received)
    if errors:
        return HTMLResponse(_job_page(request, job, flags, View(job, received, errors)), 400)
    received.fields.pop(cw.CSRF_FIELD, None)
    session(request)[f"careers-draft:{job.job_id}"] = received
    return RedirectResponse(f"{job.path}/more{qs(request)}", status_code=303)


async def thanks(request: Request) -> Response:
    job, _ = await open_job(request, SITE, request.path_params["slug"])
    ref = esc(request.query_params.get("ref", ""))
    inner = (
        f'<div class="confirmation"><h1>Application received</h1><p>Thank you for applying for {esc(job.title)}. '
        f'Your reference is <strong class="reference">{ref}</strong>. We will email you about next steps.'
        "</p></div>"
    )
    return HTMLResponse(page("Application received", _shell(job, inner), css=CSS))


def routes() -> list[Route]:
    return [
        Route("/careers/", index),
        Route("/careers/jobs/{slug}", job_page),
        Route("/careers/jobs/{slug}", apply, methods=["POST"]),
        Route("/careers/jobs/{slug}/thanks", thanks),
    ]
