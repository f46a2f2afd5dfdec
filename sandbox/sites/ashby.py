"""Ashby job boards (jobs.ashbyhq.com/<org>/<posting>/application).

Fields carry their Ashby path as id and name: _systemfield_* for system fields, a UUID for each custom
question. Yes/no questions are a pair of toggle buttons; the form posts by script and answers in JSON.
"""

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import places
from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, email_ok, open_job, phone_ok, qs, signed_in
from sandbox.html import captcha_widget, description, esc, json_script, late_render, page, site_index
from sandbox.invisible import SITE_KEYS, recaptcha_badge, script_tag
from sandbox.jobs import Job, Question
from sandbox.resume_parse import parse
from sandbox.signin import login_url
from sandbox.state import sbx
from sandbox.uploads import Received, read_form

SITE = "ashby"
CLOSED = "This job is no longer accepting applications."
ALREADY = "It looks like you've already applied for this position."
CSS, JS = ("ashby.css",), ("combobox.js", "captcha-host.js", "late-render.js", "ashby.js")
RECAPTCHA = "recaptcha-v3"
RESUME_TYPES = ("pdf", "doc", "docx", "odt", "rtf", "txt")


def _entry(fid: str, label: str, required: bool, control: str, label_for: bool = True) -> str:
    mark = '<span class="_required_">*</span>' if required else ""
    target = f'for="{esc(fid)}"' if label_for else f'id="{esc(fid)}-label"'
    return (
        f'<div class="ashby-application-form-field-entry" data-field-path="{esc(fid)}">'
        f'<label class="ashby-application-form-question-title" {target}>{esc(label)}{mark}</label>{control}'
        f'<p class="ashby-application-form-field-error" id="{esc(fid)}-error" hidden></p></div>'
    )


def _input(fid: str, kind: str = "text", placeholder: str = "Type here...") -> str:
    return f'<input id="{esc(fid)}" name="{esc(fid)}" type="{kind}" placeholder="{esc(placeholder)}" class="_input_">'


def _location() -> str:
    return (
        '<div class="select" data-combobox data-field="_systemfield_location" data-multi="false"'
        ' data-options="" data-source="/ashby/api/locations"><div class="select-shell"><div class="select__control">'
        '<div class="select__value-container"><div class="select__placeholder">Start typing...</div>'
        '<div class="select__input-container"><input id="_systemfield_location" class="select__input _input_"'
        ' role="combobox" type="text" autocomplete="off" aria-autocomplete="list" aria-expanded="false"'
        ' aria-haspopup="listbox" aria-labelledby="_systemfield_location-label"></div></div></div></div></div>'
    )


def _resume() -> str:
    accept = ",".join(f".{t}" for t in RESUME_TYPES)
    return (
        '<div class="_fileUpload_"><button type="button" class="_button_ _secondary_"'
        ' data-upload="_systemfield_resume">Upload File</button><span class="_dropzone_">or drag and drop here</span>'
        '<span class="_filename_" id="_systemfield_resume-filename"></span>'
        f'<input id="_systemfield_resume" name="_systemfield_resume" type="file" accept="{accept}" class="_hidden_">'
        "</div>"
    )


def _yes_no(q: Question) -> str:
    buttons = "".join(
        f'<button type="button" class="_option_" aria-pressed="false" data-value="{o}">{o}</button>'
        for o in ("Yes", "No")
    )
    # Only the buttons' pressed state holds the answer: there is no input behind them to set.
    return f'<div class="_yesno_" role="group" aria-labelledby="{esc(q.qid)}-label">{buttons}</div>'


def _choices(q: Question, kind: str) -> str:
    return "".join(
        f'<div class="_option_"><input type="{kind}" id="{esc(q.qid)}-labeled-{kind}-{n}" name="{esc(q.qid)}"'
        f' value="{esc(o)}"><label for="{esc(q.qid)}-labeled-{kind}-{n}">{esc(o)}</label></div>'
        for n, o in enumerate(q.options)
    )


def question(q: Question) -> str:
    if q.kind == "yesno":
        return _entry(q.qid, q.label, q.required, _yes_no(q), label_for=False)
    if q.kind in ("select", "multi"):
        control = f'<div class="_choices_" role="group" aria-labelledby="{esc(q.qid)}-label">'
        return _entry(
            q.qid,
            q.label,
            q.required,
            control + _choices(q, "radio" if q.kind == "select" else "checkbox") + "</div>",
            label_for=False,
        )
    if q.kind == "textarea":
        control = f'<textarea id="{esc(q.qid)}" name="{esc(q.qid)}" class="_input_ _textarea_"></textarea>'
        return _entry(q.qid, q.label, q.required, control)
    return _entry(q.qid, q.label, q.required, _input(q.qid, "number" if q.kind == "number" else "text"))


# Ashby's autofill pane: an unlabelled file input ahead of the resume field; a file dropped here is
# parsed and its findings overwrite the fields, typed or not. It does not attach the resume.
AUTOFILL = (
    '<div class="_autofillPane_" data-autofill-pane><p class="_autofillTitle_">Autofill from resume</p>'
    "<p>Upload your resume here to autofill key application fields.</p>"
    '<button type="button" class="_button_ _secondary_" data-autofill-button>Upload file</button>'
    '<input type="file" class="_hidden_" accept=".pdf,.doc,.docx,.odt,.rtf,.txt" data-autofill-input></div>'
)


def system_fields(job: Job) -> str:
    parts = {
        "phone": _entry("_systemfield_phone", "Phone", True, _input("_systemfield_phone", "tel")),
        "location": _entry("_systemfield_location", "Location", True, _location(), label_for=False),
    }
    return (
        AUTOFILL
        + _entry("_systemfield_name", "Name", True, _input("_systemfield_name"))
        + _entry("_systemfield_email", "Email", True, _input("_systemfield_email", "email", "hello@example.com..."))
        + "".join(parts[name] for name in job.layout)
        + _entry("_systemfield_resume", "Resume", True, _resume(), label_for=False)
    )


def _shell(job: Job, active: str, inner: str) -> str:
    tabs = "".join(
        f'<a class="_tab_{" _active_" if name == active else ""}" href="{job.path}{suffix}">{label}</a>'
        for name, label, suffix in (("overview", "Overview", ""), ("application", "Application", "/application"))
    )
    return (
        f'<header class="ashby-header"><a href="/ashby/{job.org}" class="ashby-org">{esc(job.company)}</a></header>'
        '<main class="ashby-job-posting"><div class="ashby-job-posting-header">'
        f'<h1 class="ashby-job-posting-heading">{esc(job.title)}</h1>'
        f'<p class="ashby-job-posting-meta">{esc(job.location)} &middot; {esc(job.department)} &middot; Full time</p>'
        f'</div><nav class="_tabs_">{tabs}</nav>{inner}</main>'
        '<footer class="ashby-footer">Powered by <strong>Ashby</strong></footer>'
    )


async def _gate(request: Request) -> tuple[Job, JobFlags, Response | None]:
    job, flags = await open_job(request, SITE, request.path_params["posting"])
    if flags.closed:
        inner = f'<div class="ashby-closed"><h2>{esc(CLOSED)}</h2></div>'
        return job, flags, HTMLResponse(page(job.title, _shell(job, "overview", inner), css=CSS))
    if flags.login_wall and not signed_in(request, SITE):
        return job, flags, RedirectResponse(login_url(SITE, f"{request.url.path}{qs(request)}"), status_code=303)
    return job, flags, None


async def overview(request: Request) -> Response:
    job, _, blocked = await _gate(request)
    if blocked:
        return blocked
    inner = (
        f'<div class="ashby-job-posting-description">{description(job, "h2")}</div>'
        f'<a class="_button_ _primary_" href="{job.path}/application{qs(request)}">Apply for this Job</a>'
    )
    return HTMLResponse(_page(job, _shell(job, "overview", inner)))


def _page(job: Job, body: str, js: tuple[str, ...] = ()) -> str:
    """Every Ashby posting page loads invisible reCAPTCHA v3."""
    return page(
        f"{job.title} @ {job.company}", body + recaptcha_badge(RECAPTCHA), css=CSS, js=js, head=script_tag(RECAPTCHA)
    )


async def application(request: Request) -> Response:
    job, flags, blocked = await _gate(request)
    if blocked:
        return blocked
    widget = captcha_widget("g") + '<p class="ashby-application-form-field-error" id="captcha-error" hidden></p>'
    # The real page is a client-rendered app with no <form> element: the fields appear after a delay,
    # and only the script's click handler sends them.
    app = (
        '<div class="ashby-application-form-container"><div class="ashby-application-form-failure" role="alert"'
        ' hidden></div><div class="ashby-application-form-section-container">'
        + system_fields(job)
        + "".join(question(q) for q in job.questions)
        + (widget if flags.captcha else "")
        + '</div><button type="button" class="ashby-application-form-submit-button _button_ _primary_">'
        "Submit Application</button></div>"
    )
    config = {
        "submitUrl": f"{job.path}/application{qs(request)}",
        "recaptchaKey": SITE_KEYS[RECAPTCHA],
        "renderDelayMs": job.traps["render_delay_ms"],
    }
    form = f'<div id="ashby-app-root">{late_render(app)}</div>' + json_script("sbx-config", config)
    return HTMLResponse(_page(job, _shell(job, "application", form), JS))


def _errors(job: Job, flags: JobFlags, received: Received) -> dict[str, str]:
    labels = {"_systemfield_name": "Name", "_systemfield_email": "Email", "_systemfield_location": "Location"}
    labels |= {"_systemfield_phone": "Phone"} if "phone" in job.layout else {}
    labels |= {q.qid: q.label for q in job.questions if q.required}
    errors = {
        fid: f"Missing entry for required field: {label}" for fid, label in labels.items() if not received.values(fid)
    }
    resume = received.file("_systemfield_resume")
    if resume is None:
        errors["_systemfield_resume"] = "Missing entry for required field: Resume"
    elif resume.filename.rsplit(".", 1)[-1].lower() not in RESUME_TYPES:
        errors["_systemfield_resume"] = "This file type is not supported."
    email, phone = received.text("_systemfield_email"), received.text("_systemfield_phone")
    if email and not email_ok(email):
        errors["_systemfield_email"] = "Enter a valid email address"
    if phone and not phone_ok(phone, flags):
        errors["_systemfield_phone"] = "Enter a valid phone number"
    location = received.text("_systemfield_location")
    if location and not places.place_ok(location):
        errors["_systemfield_location"] = "Select a location from the list"
    for q in job.questions:
        if q.kind == "number" and received.text(q.qid) and not received.text(q.qid).isdigit():
            errors[q.qid] = "Enter a whole number"
    return errors


async def submit(request: Request) -> Response:
    job, flags, blocked = await _gate(request)
    if blocked:
        return JSONResponse({"success": False, "message": CLOSED}, 410)
    received = await read_form(request)
    errors = _errors(job, flags, received)
    token = received.text("g-recaptcha-response")
    if not captcha_ok(request, flags, token):
        errors["captcha"] = "Please complete the captcha."
    if errors:
        return JSONResponse({"success": False, "message": "Your form needs corrections", "errors": errors}, 422)
    email = received.text("_systemfield_email")
    if already_applied(sbx(request), job, flags, email):
        return JSONResponse({"success": False, "message": ALREADY}, 409)
    submission = await accept(request, job, email, received, token)
    message = (
        f"Your application to {job.company} was successfully submitted. We'll contact you if there are next steps."
    )
    return JSONResponse(
        {
            "success": True,
            "applicationId": submission.confirmation_id,
            "title": "Thank you for applying",
            "message": message,
        }
    )


async def board(request: Request) -> Response:
    jobs = [j for j in sbx(request).catalog.org(SITE, request.path_params["org"]) if not j.defaults.closed]
    if not jobs:
        return HTMLResponse("Not found", 404)
    rows = "".join(
        f'<a class="ashby-job-posting-brief" href="{j.path}"><h3>{esc(j.title)}</h3>'
        f"<p>{esc(j.department)} &middot; {esc(j.location)}</p></a>"
        for j in jobs
    )
    body = (
        f'<header class="ashby-header"><span class="ashby-org">{esc(jobs[0].company)}</span></header>'
        f'<main class="ashby-job-board"><h1>Open Positions ({len(jobs)})</h1>{rows}</main>'
    )
    return HTMLResponse(page(f"Jobs at {jobs[0].company}", body, css=CSS))


async def index(request: Request) -> Response:
    jobs = sbx(request).catalog.site(SITE)
    return HTMLResponse(site_index("Ashby job boards", jobs, lambda j: f"/ashby/{j.org}"))


async def locations(request: Request) -> Response:
    return JSONResponse({"results": places.cities(request.query_params.get("q", ""))})


async def parse_resume(request: Request) -> Response:
    received = await read_form(request)
    upload = received.files[0] if received.files else None
    if upload is None:
        return JSONResponse({"error": "no file"}, 400)
    return JSONResponse(parse(received.blobs[upload.sha256], upload.filename))


def routes() -> list[Route]:
    return [
        Route("/ashby/", index),
        Route("/ashby/api/parseResume", parse_resume, methods=["POST"]),
        Route("/ashby/api/locations", locations),
        Route("/ashby/{org}", board),
        Route("/ashby/{org}/{posting}", overview),
        Route("/ashby/{org}/{posting}/application", application),
        Route("/ashby/{org}/{posting}/application", submit, methods=["POST"]),
    ]
