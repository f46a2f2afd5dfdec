"""Greenhouse job boards (job-boards.greenhouse.io/<board>/jobs/<id>), with the emailed security code."""

import secrets
import string

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import places
from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, email_ok, open_job, phone_ok, qs, send_mail, signed_in
from sandbox.html import description, esc, json_script, late_render, page, site_index
from sandbox.invisible import SITE_KEYS, recaptcha_badge, script_tag
from sandbox.jobs import Job
from sandbox.signin import login_url
from sandbox.sites import greenhouse_form as gf
from sandbox.state import sbx
from sandbox.uploads import Received, read_form

SITE = "greenhouse"
REQUIRED = "This field is required."
CLOSED = "This job is no longer accepting applications."
ALREADY = "You have already applied for this position. We'll be in touch if there is a fit."
RECAPTCHA = "recaptcha-enterprise"
INVISIBLE_TOKEN = "g-recaptcha-enterprise-token"  # what the page script posts the invisible token as
CODE_ALPHABET = string.ascii_uppercase + string.digits
CSS, JS = ("greenhouse.css",), ("combobox.js", "captcha-host.js", "late-render.js", "greenhouse.js")


def _shell(job_or_company: str, inner: str) -> str:
    return (
        '<div id="react-portal-mount-point"></div><main class="main font-secondary job-post">'
        f'<div class="job-post-container"><div class="image-container"><div class="logo">{esc(job_or_company)}'
        f"</div></div>{inner}</div></main>"
        '<footer class="footer"><div class="footer-row"><p class="body">Powered by</p>'
        '<span class="footer-logo">greenhouse</span></div></footer>'
    )


async def index(request: Request) -> Response:
    jobs = sbx(request).catalog.site(SITE)
    return HTMLResponse(site_index("Greenhouse job boards", jobs, lambda j: f"/greenhouse/{j.org}"))


async def board(request: Request) -> Response:
    jobs = [j for j in sbx(request).catalog.org(SITE, request.path_params["board"]) if not j.defaults.closed]
    if not jobs:
        return HTMLResponse(page("Not found", _shell("Greenhouse", "<h1>Board not found</h1>"), css=CSS), 404)
    rows = "".join(
        f'<tr class="job-post"><td class="cell"><a href="{j.path}"><p class="body body--medium">{esc(j.title)}</p>'
        f'<p class="body body__secondary body--metadata">{esc(j.location)}</p></a></td></tr>'
        for j in jobs
    )
    inner = (
        f'<div><h1 class="section-header section-header--large">Current openings at {esc(jobs[0].company)}</h1>'
        f'<div class="job-posts"><table><tbody>{rows}</tbody></table></div></div>'
    )
    return HTMLResponse(page(f"Jobs at {jobs[0].company}", _shell(jobs[0].company, inner), css=CSS))


def _closed_page(job: Job) -> HTMLResponse:
    inner = (
        f'<div class="flash flash--error" role="alert">{esc(CLOSED)}</div>'
        f'<h1 class="section-header">{esc(job.title)}</h1>'
        f'<a class="link" href="/greenhouse/{job.org}">View all open jobs at {esc(job.company)}</a>'
    )
    return HTMLResponse(page(f"{job.title} - {job.company}", _shell(job.company, inner), css=CSS))


def embedded_url(job: Job) -> str:
    return f"/greenhouse/company/{job.org}/careers?gh_jid={job.job_id}"


async def job_page(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    if job.traps["embedded"]:
        # The board of a company that embeds it sends you to the company's own page, as ?gh_jid= links do.
        extra = qs(request).replace("?", "&")
        return RedirectResponse(f"{embedded_url(job)}{extra}", status_code=303)
    return render_job(request, job, flags)


def render_job(request: Request, job: Job, flags: JobFlags) -> Response:
    """The job page with its application form; also what the embed iframe shows."""
    if flags.closed:
        return _closed_page(job)
    if flags.login_wall and not signed_in(request, SITE):
        return RedirectResponse(login_url(SITE, f"{job.path}{qs(request)}"), status_code=303)
    header = (
        f'<div><a class="link" href="/greenhouse/{job.org}">&larr; Back to jobs</a><div class="job__header">'
        f'<div class="job__title"><h1 class="section-header section-header--large font-primary">{esc(job.title)}'
        f'</h1><div class="job__location"><div>{esc(job.location)}</div></div></div>'
        '<a class="btn btn--pill" aria-label="Apply" href="#application-form">Apply</a></div>'
        f'<div class="job__description body">{description(job)}</div></div>'
    )
    form = (
        '<div class="divider" role="separator"></div><div class="application--container">'
        '<div class="application--header"><div class="application--header--title">'
        '<h2 class="section-header font-primary">Apply for this job</h2></div>'
        '<p class="body body__secondary"><span aria-hidden="true">*</span> indicates a required field</p>'
        '<button type="button" class="btn btn--pill btn--secondary">Autofill with MyGreenhouse</button></div>'
        f"{late_render(gf.application_form(job, flags.captcha))}</div>"
        + json_script(
            "sbx-config",
            {
                "submitUrl": f"{job.path}{qs(request)}",
                "recaptchaKey": SITE_KEYS[RECAPTCHA],
                "renderDelayMs": job.traps["render_delay_ms"],
            },
        )
    )
    title = f"Job Application for {job.title} at {job.company}"
    body = _shell(job.company, header + form) + recaptcha_badge(RECAPTCHA)
    return HTMLResponse(page(title, body, css=CSS, js=JS, head=script_tag(RECAPTCHA)))


def _missing(job: Job, received: Received) -> dict[str, str]:
    required = ["first_name", "last_name", "email", "phone", "country"]
    required += ["candidate-location"] if gf.location_required(job) else []
    required += [q.qid for q in job.questions if q.required]
    errors = {fid: REQUIRED for fid in required if not received.values(fid)}
    if not received.file("resume") and not received.text("resume_text"):
        errors["resume"] = "Resume/CV is required."
    if job.traps["gdpr"] and not received.text(gf.GDPR_REQUIRED):
        errors[gf.GDPR_REQUIRED] = "Please provide consent to continue."
    return errors


def _invalid(job: Job, flags: JobFlags, received: Received) -> dict[str, str]:
    errors: dict[str, str] = {}
    if received.text("email") and not email_ok(received.text("email")):
        errors["email"] = "Please enter a valid email address."
    if received.text("phone") and not phone_ok(received.text("phone"), flags):
        errors["phone"] = "Please enter a valid phone number."
    location = received.text("candidate-location")
    if location and not places.place_ok(location):
        errors["candidate-location"] = "Please select a location from the list."
    sets = gf.option_sets(job)
    for fid, allowed in sets.items():
        if any(v not in allowed for v in received.values(fid)):
            errors[fid] = "Please select a valid option."
    for upload in received.files:
        if upload.filename.rsplit(".", 1)[-1].lower() not in gf.FILE_TYPES:
            errors[upload.field] = f"Accepted file types: {', '.join(gf.FILE_TYPES)}."
    return errors


async def _security_step(request: Request, job: Job, email: str, received: Received) -> Response | None:
    """None once the right code came back; otherwise mail a code (428) or refuse a wrong one (422)."""
    pending = sbx(request).pending
    key = f"greenhouse-code:{job.job_id}:{email.lower()}"
    typed = received.text("security_code").strip().upper()
    if typed and pending.get(key) == typed:
        del pending[key]
        return None
    if typed and key in pending:
        return JSONResponse({"errors": {"security-input-0": "Incorrect security code. Please try again."}}, 422)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    pending[key] = code
    text = (
        f"Copy and paste this code into the security code field on your application: {code}  "
        "After you enter the code, resubmit your application."
    )
    await send_mail(request, job, email, f"Security code for your application to {job.company}", text)
    return JSONResponse({"security_code_required": True, "email": email}, 428)


async def submit(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    if flags.closed:
        return JSONResponse({"message": CLOSED}, 410)
    received = await read_form(request)
    errors = _missing(job, received) | _invalid(job, flags, received)
    token = received.text("g-recaptcha-response")
    if not captcha_ok(request, flags, token):
        errors["captcha"] = "Please verify that you are not a robot."
    if errors:
        return JSONResponse({"errors": errors}, 422)
    email = received.text("email")
    if already_applied(sbx(request), job, flags, email):
        return JSONResponse({"message": ALREADY}, 409)
    # reCAPTCHA Enterprise scores every submit; a low score (here: no token from the page's script)
    # turns into the emailed security code, as on the real boards.
    low_score = not sbx(request).captcha.invisible_valid(received.text(INVISIBLE_TOKEN))
    due = flags.email_verify or low_score
    if due and (step := await _security_step(request, job, email, received)) is not None:
        return step
    await accept(request, job, email, received, token)
    return JSONResponse({"redirect": f"{job.path}/confirmation{qs(request)}"})


async def confirmation(request: Request) -> Response:
    job, _ = await open_job(request, SITE, request.path_params["job_id"])
    inner = (
        '<div class="confirmation"><h1 class="section-header section-header--large">Thank you for applying.</h1>'
        '<p class="body">Your application has been received. If your application seems like a good fit for the '
        f'position we will contact you soon.</p><p class="body">Regards,<br>{esc(job.company)}</p>'
        f'<a class="link" href="/greenhouse/{job.org}">Back to jobs</a></div>'
    )
    return HTMLResponse(page(f"Thank you for applying to {job.company}", _shell(job.company, inner), css=CSS))


async def locations(request: Request) -> Response:
    found = places.cities(request.query_params.get("q", ""))
    return JSONResponse({"results": found})


async def schools(request: Request) -> Response:
    return JSONResponse({"results": places.schools(request.query_params.get("q", ""))})


def routes() -> list[Route]:
    return [
        Route("/greenhouse/", index),
        Route("/greenhouse/api/locations", locations),
        Route("/greenhouse/api/schools", schools),
        Route("/greenhouse/{board}", board),
        Route("/greenhouse/{board}/jobs/{job_id}", job_page),
        Route("/greenhouse/{board}/jobs/{job_id}", submit, methods=["POST"]),
        Route("/greenhouse/{board}/jobs/{job_id}/confirmation", confirmation),
    ]
