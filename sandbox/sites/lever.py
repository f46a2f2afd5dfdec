"""Lever job sites (jobs.lever.co/<company>/<posting> and /apply)."""

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import places
from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, email_ok, open_job, phone_ok, qs, signed_in
from sandbox.html import description, esc, page, site_index
from sandbox.invisible import script_tag
from sandbox.jobs import Job
from sandbox.resume_parse import parse
from sandbox.signin import login_url
from sandbox.sites.lever_form import FormState, application_form
from sandbox.state import sbx
from sandbox.uploads import Received, read_form

SITE = "lever"
REQUIRED = "This field is required."
CLOSED = "This job posting is no longer accepting applications."
ALREADY = "It looks like you have already applied to this position."
CSS = ("lever.css",)


def _shell(company: str, org: str, inner: str) -> str:
    return (
        '<div class="main-header page-full-width section-wrapper"><div class="main-header-content page-centered">'
        f'<a class="main-header-logo" href="/lever/{esc(org)}">{esc(company)}</a></div></div>'
        f'<div class="content-wrapper posting-page"><div class="content">{inner}</div></div>'
        '<div class="main-footer page-full-width"><div class="main-footer-text page-centered">'
        f'<p><a href="/lever/{esc(org)}">{esc(company)} Home Page</a></p>'
        '<a class="image-link" href="/lever/">Jobs powered by <strong>lever</strong></a></div></div>'
    )


def _categories(job: Job) -> str:
    return (
        '<div class="posting-categories">'
        f'<div class="posting-category location">{esc(job.location)}</div>'
        f'<div class="posting-category department">{esc(job.department)}</div>'
        '<div class="posting-category commitment">Full-time</div></div>'
    )


def _headline(job: Job, apply_button: bool) -> str:
    button = (
        f'<div class="postings-btn-wrapper"><a class="postings-btn template-btn-submit hex-color"'
        f' data-qa="show-page-apply" href="{job.path}/apply">Apply for this job</a></div>'
        if apply_button
        else ""
    )
    return (
        f'<div class="section-wrapper page-full-width"><div class="section page-centered posting-header">'
        f'<div class="posting-headline"><h2>{esc(job.title)}</h2>{_categories(job)}</div>{button}</div></div>'
    )


async def index(request: Request) -> Response:
    jobs = sbx(request).catalog.site(SITE)
    return HTMLResponse(site_index("Lever job sites", jobs, lambda j: f"/lever/{j.org}"))


async def company(request: Request) -> Response:
    jobs = [j for j in sbx(request).catalog.org(SITE, request.path_params["company"]) if not j.defaults.closed]
    if not jobs:
        return HTMLResponse("Not found", 404)
    rows = "".join(
        f'<div class="posting" data-qa-posting-id="{j.job_id}"><div class="posting-apply" data-qa="btn-apply">'
        f'<a href="{j.path}/apply" class="posting-btn-submit template-btn-submit hex-color">Apply</a></div>'
        f'<a class="posting-title" href="{j.path}"><h5 data-qa="posting-name">{esc(j.title)}</h5>'
        f"{_categories(j)}</a></div>"
        for j in jobs
    )
    inner = f'<div class="postings-wrapper"><div class="postings-group">{rows}</div></div>'
    return HTMLResponse(page(f"{jobs[0].company} jobs", _shell(jobs[0].company, jobs[0].org, inner), css=CSS))


async def _gate(request: Request) -> tuple[Job, JobFlags, Response | None]:
    job, flags = await open_job(request, SITE, request.path_params["posting"])
    if flags.closed:
        inner = f'<div class="section page-centered closed-posting"><h2>{esc(CLOSED)}</h2></div>'
        return job, flags, HTMLResponse(page(job.title, _shell(job.company, job.org, inner), css=CSS))
    if flags.login_wall and not signed_in(request, SITE):
        return job, flags, RedirectResponse(login_url(SITE, f"{request.url.path}{qs(request)}"), status_code=303)
    return job, flags, None


async def posting(request: Request) -> Response:
    job, _, blocked = await _gate(request)
    if blocked:
        return blocked
    inner = (
        _headline(job, True) + '<div class="section-wrapper page-full-width"><div class="section page-centered"'
        f' data-qa="job-description">{description(job, "h3")}</div></div>'
    )
    return HTMLResponse(page(f"{job.company} - {job.title}", _shell(job.company, job.org, inner), css=CSS))


def _apply_page(request: Request, job: Job, flags: JobFlags, state: FormState, banner: str = "") -> str:
    hcaptcha = flags.captcha or job.traps["invisible_captcha"] == "hcaptcha"
    form = application_form(job, f"{job.path}/apply{qs(request)}", state, hcaptcha, banner)
    inner = _headline(job, False) + f'<div class="section-wrapper page-full-width">{form}</div>'
    head = script_tag("hcaptcha") if hcaptcha else ""
    return page(
        f"{job.company} - {job.title}",
        _shell(job.company, job.org, inner),
        css=CSS,
        js=("captcha-host.js", "lever.js"),
        head=head,
    )


async def apply_form(request: Request) -> Response:
    job, flags, blocked = await _gate(request)
    return blocked or HTMLResponse(_apply_page(request, job, flags, FormState()))


def _location_error(received: Received) -> str | None:
    try:
        chosen = json.loads(received.text("selectedLocation") or "{}").get("name")
    except (ValueError, AttributeError):
        chosen = None
    if chosen != received.text("location") or not places.place_ok(str(chosen or "")):
        return "Please select a location from the dropdown."
    return None


def _errors(job: Job, flags: JobFlags, received: Received) -> dict[str, str]:
    required = ["name", "email", "phone", "location", *[q.qid for q in job.questions if q.required]]
    errors = {name: REQUIRED for name in required if not received.values(name)}
    if not received.file("resume"):
        errors["resume"] = "Please attach your resume."
    if "email" not in errors and not email_ok(received.text("email")):
        errors["email"] = "Please enter a valid email address."
    if "phone" not in errors and not phone_ok(received.text("phone"), flags):
        errors["phone"] = "Please enter a valid phone number."
    if "location" not in errors and (problem := _location_error(received)):
        errors["location"] = problem
    return errors


async def apply_submit(request: Request) -> Response:
    job, flags, blocked = await _gate(request)
    if blocked:
        return blocked
    received = await read_form(request)
    errors = _errors(job, flags, received)
    token = received.text("h-captcha-response")
    if not captcha_ok(request, flags, token):
        errors["captcha"] = "Please complete the captcha."
    if errors:
        banner = "There was an error submitting your application. Please review the fields below."
        return HTMLResponse(_apply_page(request, job, flags, FormState(received, errors), banner), 400)
    if already_applied(sbx(request), job, flags, received.text("email")):
        return HTMLResponse(_apply_page(request, job, flags, FormState(received), ALREADY), 409)
    await accept(request, job, received.text("email"), received, token)
    return RedirectResponse(f"{job.path}/thanks{qs(request)}", status_code=303)


async def thanks(request: Request) -> Response:
    job, _ = await open_job(request, SITE, request.path_params["posting"])
    inner = (
        '<div class="section page-centered application-confirmation" data-qa="msg-submit-success">'
        "<h3>Application submitted!</h3><p>Thanks for applying to "
        f"{esc(job.company)}. We have received your application for {esc(job.title)} and will be in touch "
        "if your experience is a good match.</p></div>"
    )
    return HTMLResponse(page(f"{job.company} - Application submitted", _shell(job.company, job.org, inner), css=CSS))


async def search_locations(request: Request) -> Response:
    text = request.query_params.get("text", "")
    found = [{"name": c, "id": f"loc-{n}"} for n, c in enumerate(places.cities(text))]
    return JSONResponse(found[:8])


async def parse_resume(request: Request) -> Response:
    received = await read_form(request)
    upload = received.file("resume")
    if upload is None:
        return JSONResponse({"error": "no resume"}, 400)
    return JSONResponse(parse(received.blobs[upload.sha256], upload.filename))


def routes() -> list[Route]:
    return [
        Route("/lever/", index),
        Route("/lever/parseResume", parse_resume, methods=["POST"]),
        Route("/lever/searchLocations", search_locations),
        Route("/lever/{company}", company),
        Route("/lever/{company}/{posting}", posting),
        Route("/lever/{company}/{posting}/apply", apply_form),
        Route("/lever/{company}/{posting}/apply", apply_submit, methods=["POST"]),
        Route("/lever/{company}/{posting}/thanks", thanks),
    ]
