"""Workday career sites (<tenant>.wd5.myworkdayjobs.com/<site>/job/...): account, verification link, wizard."""

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import places
from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, qs, signed_in
from sandbox.html import captcha_widget, description, esc, json_script, page, site_index
from sandbox.jobs import WORKDAY_SITE, Job
from sandbox.regions import REGIONS
from sandbox.sites import workday_account as account
from sandbox.sites import workday_experience as experience
from sandbox.sites import workday_fields as wf
from sandbox.sites import workday_pages as wp
from sandbox.sites.workday_checks import step_errors
from sandbox.sites.workday_common import CSS, JS, SITE, apply_path, open_posting, realm, shell
from sandbox.sites.workday_widgets import tree_json
from sandbox.state import sbx, session
from sandbox.uploads import Received, read_form

ALREADY = "You have already applied for this job."
STEP_FIELD = "wd-step"  # which step the page posts; the URL never says


async def index(request: Request) -> Response:
    jobs = sbx(request).catalog.site(SITE)
    return HTMLResponse(site_index("Workday career sites", jobs, lambda j: f"/workday/{j.org}/{WORKDAY_SITE}"))


async def job_list(request: Request) -> Response:
    jobs = [j for j in sbx(request).catalog.org(SITE, request.path_params["tenant"]) if not j.defaults.closed]
    if not jobs:
        return HTMLResponse("Not found", 404)
    rows = "".join(
        f'<li class="wd-job"><h3><a data-automation-id="jobTitle" href="{j.path}">{esc(j.title)}</a></h3>'
        f'<dd data-automation-id="locations">{esc(j.location)}</dd><dd>{esc(j.job_id)}</dd></li>'
        for j in jobs
    )
    inner = f'<p data-automation-id="jobFoundText">{len(jobs)} JOBS FOUND</p><ul class="wd-jobs">{rows}</ul>'
    return HTMLResponse(page(f"Careers at {jobs[0].company}", shell(jobs[0], request, inner), css=CSS))


async def job_page(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    if flags.login_wall and not signed_in(request, realm(job)):
        return RedirectResponse(f"{apply_path(job)}?mode=signin&{qs(request).lstrip('?')}", status_code=303)
    inner = (
        f'<div class="wd-posting"><h2 data-automation-id="jobPostingHeader">{esc(job.title)}</h2>'
        '<a role="button" data-automation-id="adventureButton" class="wd-primary"'
        f' href="{job.path}/apply{qs(request)}">Apply</a>'
        f'<dl><dd data-automation-id="locations">{esc(job.location)}</dd><dd data-automation-id="time">Full time</dd>'
        f'<dd data-automation-id="requisitionId">{esc(job.job_id)}</dd></dl>'
        f'<div data-automation-id="jobPostingDescription">{description(job, "h3")}</div></div>'
    )
    return HTMLResponse(page(f"{job.title} - {job.company}", shell(job, request, inner), css=CSS))


async def start(request: Request) -> Response:
    job, _, blocked = await open_posting(request)
    if blocked:
        return blocked
    manual = f"{apply_path(job)}{qs(request)}"
    inner = (
        '<div class="wd-modal" role="dialog" aria-labelledby="start-title"><h2 id="start-title">Start Your '
        f'Application</h2><p>{esc(job.title)}</p><div class="wd-start-options">'
        f'<a role="button" class="wd-secondary" data-automation-id="autofillWithResume" href="{manual}">'
        "Autofill with Resume</a>"
        f'<a role="button" class="wd-primary" data-automation-id="applyManually" href="{manual}">Apply Manually</a>'
        f'<a role="button" class="wd-secondary" data-automation-id="useMyLastApplication" href="{manual}">'
        "Use My Last Application</a></div></div>"
    )
    return HTMLResponse(page(f"Apply - {job.title}", shell(job, request, inner), css=CSS))


def draft(request: Request, job: Job) -> dict[str, Any]:
    fresh: dict[str, Any] = {"fields": {}, "files": [], "blobs": {}, "done": []}
    found: dict[str, Any] = session(request).setdefault(f"workday-draft:{job.job_id}", fresh)
    return found


def _first_open_step(job: Job, progress: dict[str, Any]) -> str:
    return next(s for s in wf.steps(job) if s not in progress["done"] or s == "review")


def _review(job: Job, progress: dict[str, Any]) -> str:
    rows = ""
    for step in wf.steps(job)[:-1]:
        values = progress["fields"].get(step, {})
        items = "".join(
            f"<dt>{esc(f.label)}</dt><dd>{esc(_shown(values, progress, f))}</dd>" for f in wf.step_fields(job, step)
        )
        items += "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v if isinstance(v, str) else ', '.join(v))}</dd>"
            for k, v in values.items()
            if experience.belongs(k)
        )
        rows += f'<section class="wd-review-section"><h3>{esc(wf.title(job, step))}</h3><dl>{items}</dl></section>'
    return rows


def _shown(values: dict[str, Any], progress: dict[str, Any], field: wf.Field) -> str:
    if field.kind == "file":
        return ", ".join(f.filename for f in progress["files"])
    if field.kind == "date":
        return "/".join(str(values.get(f"dateSection{p}-input", "")) for p in ("Month", "Day", "Year"))
    value = values.get(field.name, "")
    return value if isinstance(value, str) else ", ".join(value)


def step_fragment(
    request: Request, job: Job, flags: JobFlags, step: str, values: dict[str, Any], errors: dict[str, str]
) -> str:
    """One step as the SPA draws it into its one page: no <form>, no name attributes, no step in the URL."""
    progress = draft(request, job)
    shown = wf.steps(job)
    ids = wp.Ids(job)
    uploaded = ", ".join(f.filename for f in progress["files"])
    body = "".join(wp.field_html(ids, f, values, errors.get(f.name, ""), uploaded) for f in wf.step_fields(job, step))
    if step == "my-experience":
        body += experience.sections(values, errors)
    if step == "review":
        body = _review(job, progress) + (captcha_widget("g") if flags.captcha else "")
    back = (
        '<button type="button" class="wd-secondary" data-automation-id="bottom-navigation-previous-button"'
        f' data-back="{shown[shown.index(step) - 1]}">Back</button>'
        if step != shown[0]
        else ""
    )
    options: dict[str, Any] = {f.name: list(f.options) for f in wf.step_fields(job, step) if f.kind == "dropdown"}
    options |= experience.options() | {"__regions__": REGIONS, "__trees__": tree_json()}
    return (
        f'<div class="wd-step" data-wd-step="{step}"><h2 class="wd-job-title">{esc(job.title)}</h2>'
        f"{wp.progress(job, step)}"
        f'<h2 class="wd-step-title" data-automation-id="pageHeader">{esc(wf.title(job, step))}</h2>'
        f'{wp.error_banner(errors)}{body}<div data-automation-id="pageFooter" class="wd-page-footer">{back}'
        '<button type="button" class="wd-primary" data-automation-id="bottom-navigation-next-button">'
        f"{'Submit' if step == 'review' else 'Save and Continue'}</button></div>{json_script('sbx-options', options)}"
        "</div>"
    )


def app_page(request: Request, job: Job) -> str:
    """The signed-in application: one page whose script fetches each step after the job's render delay."""
    config = {"stepUrl": f"{apply_path(job)}/step{qs(request)}", "renderDelayMs": job.traps["render_delay_ms"]}
    inner = (
        '<div data-automation-id="applyFlowPage" class="wd-apply" id="wd-app" aria-busy="true">'
        '<div class="sbx-loading" data-automation-id="loadingSpinner">Loading...</div></div>'
        + json_script("sbx-config", config)
    )
    return page(f"Apply - {job.title}", shell(job, request, inner), css=CSS, js=JS)


async def apply_page(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    if signed_in(request, realm(job)):
        return HTMLResponse(app_page(request, job))
    return account.account_form(request, job, flags)


async def _signed_in(request: Request) -> tuple[Job, JobFlags, Response | None]:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return job, flags, JSONResponse({"redirect": job.path}, 410)
    email = signed_in(request, realm(job))
    if email is None:
        return job, flags, JSONResponse({"redirect": f"{apply_path(job)}?mode=signin"}, 401)
    if already_applied(sbx(request), job, flags, email):
        notice = f'<div class="wd-notice" data-automation-id="alreadyApplied"><h2>{esc(ALREADY)}</h2></div>'
        return job, flags, JSONResponse({"html": notice}, 409)
    return job, flags, None


def _allowed(job: Job, progress: dict[str, Any], wanted: str) -> str:
    """The step asked for, unless it lies past the first one not yet saved."""
    opened = _first_open_step(job, progress)
    shown = wf.steps(job)
    if wanted not in shown or shown.index(wanted) > shown.index(opened):
        return opened
    return wanted


async def step_get(request: Request) -> Response:
    job, flags, stop = await _signed_in(request)
    if stop:
        return stop
    progress = draft(request, job)
    step = _allowed(job, progress, request.query_params.get("at", ""))
    return JSONResponse({"html": step_fragment(request, job, flags, step, progress["fields"].get(step, {}), {})})


def _save(progress: dict[str, Any], job: Job, step: str, received: Received) -> None:
    names = {f.name for f in wf.step_fields(job, step)} | {f"dateSection{p}-input" for p in ("Month", "Day", "Year")}
    progress["fields"][step] = {k: v for k, v in received.fields.items() if k in names or experience.belongs(k)}
    if step not in progress["done"]:
        progress["done"].append(step)


async def step_post(request: Request) -> Response:
    job, flags, stop = await _signed_in(request)
    if stop:
        return stop
    received = await read_form(request)
    progress = draft(request, job)
    step = _allowed(job, progress, received.text(STEP_FIELD))
    if received.file("file-upload-input-ref"):  # Workday keeps an upload at once, whatever else is wrong
        progress["files"], progress["blobs"] = list(received.files), dict(received.blobs)
    errors = step_errors(job, flags, step, received, bool(progress["files"]))
    token = received.text("g-recaptcha-response")
    if step == "review" and not captcha_ok(request, flags, token):
        errors["captcha"] = "Complete the CAPTCHA to submit your application."
    if errors:
        return JSONResponse({"html": step_fragment(request, job, flags, step, received.fields, errors)}, 400)
    if step != "review":
        _save(progress, job, step, received)
        shown = wf.steps(job)
        following = shown[shown.index(step) + 1]
        values = progress["fields"].get(following, {})
        return JSONResponse({"html": step_fragment(request, job, flags, following, values, {})})
    await _submit(request, job, progress, token)
    return JSONResponse({"redirect": f"{apply_path(job)}/submitted{qs(request)}"})


async def _submit(request: Request, job: Job, progress: dict[str, Any], token: str) -> None:
    merged = Received(files=list(progress["files"]), blobs=dict(progress["blobs"]))
    for step in wf.steps(job)[:-1]:
        merged.fields.update(progress["fields"].get(step, {}))
    email = signed_in(request, realm(job)) or ""
    await accept(request, job, email, merged, token)
    session(request).pop(f"workday-draft:{job.job_id}", None)


async def schools(request: Request) -> Response:
    """The school typeahead: known schools that match, and what was typed, since any school is accepted."""
    return JSONResponse({"results": places.schools(request.query_params.get("q", ""))})


async def submitted(request: Request) -> Response:
    job, _, _ = await open_posting(request)
    inner = (
        '<div class="wd-notice" data-automation-id="applicationSubmitted"><h2>Application Submitted</h2>'
        f"<p>Thank you for applying to {esc(job.title)} at {esc(job.company)}. You can follow the status of your "
        "application from your candidate home.</p>"
        f'<a data-automation-id="navigationItem-Candidate Home" href="/workday/{job.org}/{WORKDAY_SITE}">'
        "Candidate Home</a></div>"
    )
    return HTMLResponse(page("Application Submitted", shell(job, request, inner), css=CSS))


def routes() -> list[Route]:
    job = "/workday/{tenant}/{site}/job/{loc}/{slug}"
    apply = f"{job}/apply/applyManually"
    return [
        Route("/workday/", index),
        Route(experience.SCHOOL_SOURCE, schools),
        Route("/workday/{tenant}/{site}", job_list),
        Route("/workday/{tenant}/{site}/activate/{token}", account.activate),
        Route(job, job_page),
        Route(f"{job}/apply", start),
        Route(apply, apply_page),
        Route(f"{apply}/createAccount", account.create, methods=["POST"]),
        Route(f"{apply}/signIn", account.sign_in, methods=["POST"]),
        Route(f"{apply}/verifyCode", account.verify_code, methods=["POST"]),
        Route(f"{apply}/resendVerification", account.resend, methods=["POST"]),
        Route(f"{apply}/submitted", submitted),
        Route(f"{apply}/step", step_get),
        Route(f"{apply}/step", step_post, methods=["POST"]),
    ]
