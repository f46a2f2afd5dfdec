"""LinkedIn job pages with Easy Apply: a modal whose steps come from the server one at a time."""

import dataclasses
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import places
from sandbox.flags import JobFlags
from sandbox.gate import accept, already_applied, captcha_ok, email_ok, open_job, phone_ok, qs, signed_in
from sandbox.html import description, esc, json_script, page
from sandbox.jobs import Job
from sandbox.signin import login_url
from sandbox.sites import linkedin_checkpoint as checkpoint
from sandbox.sites import linkedin_checks as checks
from sandbox.sites import linkedin_member as lm
from sandbox.sites import linkedin_steps as ls
from sandbox.sites.linkedin_checks import VALID_ANSWER
from sandbox.state import sbx, session
from sandbox.uploads import Received, read_form

SITE = "linkedin"
CLOSED = "No longer accepting applications"
CSS, JS = ("linkedin.css",), ("captcha-host.js", "linkedin.js")
EASY_LABEL = '<span class="job-search-card__easy-apply-label">Easy Apply</span>'


def _external(request: Request, job: Job) -> str:
    """Where an outside-apply job's button leads: a company careers page elsewhere."""
    return sbx(request).catalog.site("careers")[job.index].path


def _applied(request: Request, job: Job, flags: JobFlags) -> bool:
    if job.job_id in session(request).get("linkedin-applied", []):
        return True
    email = signed_in(request, SITE)
    return bool(email) and already_applied(sbx(request), job, flags, email or "")


def _nav() -> str:
    return (
        '<header class="global-nav"><div class="global-nav__content"><a href="/linkedin/jobs/"'
        ' class="global-nav__logo" aria-label="LinkedIn">in</a><nav class="global-nav__nav">'
        '<a href="/linkedin/jobs/" class="global-nav__primary-link--active">Jobs</a></nav></div></header>'
    )


def _apply_area(request: Request, job: Job, flags: JobFlags) -> str:
    if flags.closed:
        return (
            '<div class="artdeco-inline-feedback artdeco-inline-feedback--error" role="alert">'
            f'<span class="artdeco-inline-feedback__message">{CLOSED}</span></div>'
        )
    if _applied(request, job, flags):
        return (
            '<div class="artdeco-inline-feedback artdeco-inline-feedback--success jobs-s-apply__application-link"'
            ' role="status"><span class="artdeco-inline-feedback__message">Applied</span></div>'
            '<a class="jobs-s-apply__link" href="#">See application</a>'
        )
    if job.traps["external_apply"]:
        # "Apply", not "Easy Apply": the button opens the company's own site in a new tab.
        return (
            f'<button id="jobs-apply-button-id" class="jobs-apply-button artdeco-button artdeco-button--3'
            f' artdeco-button--primary" role="link" aria-label="Apply to {esc(job.title)} on company website"'
            f' data-external-url="{esc(_external(request, job))}" type="button">'
            '<span class="artdeco-button__text">Apply</span></button>'
        )
    return (
        f'<button id="jobs-apply-button-id" class="jobs-apply-button artdeco-button artdeco-button--3'
        f' artdeco-button--primary" aria-label="Easy Apply to {esc(job.title)} at {esc(job.company)}"'
        f' data-job-id="{job.job_id}" type="button"><span class="artdeco-button__text">Easy Apply</span></button>'
    )


MODAL = (
    '<template id="easy-apply-modal"><div class="artdeco-modal-overlay artdeco-modal-overlay--layer-default">'
    '<div data-test-modal role="dialog" tabindex="-1" class="artdeco-modal jobs-easy-apply-modal" size="large"'
    ' aria-labelledby="jobs-apply-header"><button aria-label="Dismiss" class="artdeco-button artdeco-button--circle'
    ' artdeco-modal__dismiss" data-test-modal-close-btn type="button">&times;</button>'
    '<div class="artdeco-modal__header"><h2 id="jobs-apply-header"></h2></div>'
    '<div class="artdeco-modal__content jobs-easy-apply-modal__content"></div></div></div></template>'
)


async def job_page(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    member = signed_in(request, SITE)
    if flags.login_wall and not member:
        return RedirectResponse(login_url(SITE, f"{job.path}{qs(request)}"), status_code=303)
    if member and (kind := checkpoint.due(request, flags)):
        return checkpoint.challenge(request, kind, member, f"{job.path}{qs(request)}")
    top = (
        '<div class="job-details-jobs-unified-top-card__container--two-pane">'
        f'<div class="job-details-jobs-unified-top-card__company-name"><a href="#">{esc(job.company)}</a></div>'
        f'<div class="job-details-jobs-unified-top-card__job-title"><h1 class="t-24 t-bold inline">{esc(job.title)}'
        '</h1></div><div class="job-details-jobs-unified-top-card__primary-description-container">'
        f'<span class="tvm__text">{esc(job.location)}</span> &middot; <span class="tvm__text">1 week ago</span>'
        f' &middot; <span class="tvm__text">{40 + job.index * 7} applicants</span></div>'
        '<div class="job-details-preferences-and-skills"><span class="ui-label">Full-time</span></div>'
        f'<div class="jobs-apply-button--top-card">{_apply_area(request, job, flags)}</div></div>'
    )
    details = (
        f'<div class="jobs-description__container"><div id="job-details" class="jobs-description-content__text">'
        f'<h2 class="text-heading-large">About the job</h2>{description(job, "h3")}</div></div>'
    )
    config = json_script("sbx-config", {"base": f"{job.path}easy-apply", "qs": qs(request), "company": job.company})
    body = (
        f'{_nav()}<main class="scaffold-layout__main"><div class="jobs-search__job-details--container">{top}'
        f'{details}</div></main><div id="artdeco-modal-outlet"></div>{MODAL}{config}'
    )
    return HTMLResponse(page(f"{job.title} | {job.company} | LinkedIn", body, css=CSS, js=JS))


async def search(request: Request) -> Response:
    cards = "".join(
        f'<li><div class="base-card job-search-card" data-job-id="{j.job_id}" data-entity-urn="urn:li:jobPosting:'
        f'{j.job_id}"><a class="base-card__full-link" href="{j.path}"><span class="sr-only">{esc(j.title)}</span></a>'
        f'<div class="base-search-card__info"><h3 class="base-search-card__title">{esc(j.title)}</h3>'
        f'<h4 class="base-search-card__subtitle">{esc(j.company)}</h4><div class="base-search-card__metadata">'
        f'<span class="job-search-card__location">{esc(j.location)}</span>'
        f"{'' if j.traps['external_apply'] else EASY_LABEL}</div></div></div></li>"
        for j in sbx(request).catalog.site(SITE)
        if not j.defaults.closed
    )
    body = f'{_nav()}<main class="jobs-search"><h1>Jobs</h1><ul class="jobs-search__results-list">{cards}</ul></main>'
    return HTMLResponse(page("Jobs | LinkedIn", body, css=CSS))


def _draft(request: Request, job: Job) -> dict[str, Any] | None:
    found: dict[str, Any] | None = session(request).get(f"linkedin-draft:{job.job_id}")
    if found is None or found["id"] != request.path_params.get("draft", found["id"]):
        return None
    return found


def _render(
    request: Request,
    job: Job,
    flags: JobFlags,
    step: str,
    draft: dict[str, Any],
    errors: dict[str, str],
    banner: str = "",
) -> str:
    values = draft["fields"]
    uploaded = ", ".join(f.filename for f in draft["files"] if f.field == "resume")
    if step == "contact":
        body = ls.contact(job, *lm.member(request), values, errors)
    elif step == "resume":
        upload = next((f.filename for f in draft["files"] if f.field == "resume" and f not in draft["earlier"]), "")
        earlier = [(f.filename, used) for f, used in zip(draft["earlier"], lm.EARLIER_USED, strict=False)]
        body = ls.resume(upload, errors.get("resume", ""), earlier, int(draft["chosen"]))
    elif step == "review":
        body = ls.review(job, _answers(job, values, uploaded), flags.captcha, errors.get("captcha", ""))
    else:
        body = "".join(ls.question(q, values, errors.get(q.qid, "")) for q in ls.step_questions(job, step))
    return ls.frame(job, step, body, banner)


def _answers(job: Job, values: dict[str, Any], uploaded: str) -> list[tuple[str, str]]:
    ids = job.ids
    rows = [
        ("Email address", values.get(ids["email"], "")),
        ("Phone country code", values.get(ids["phone_country"], "")),
        ("Mobile phone number", values.get(ids["phone"], "")),
        ("Resume", uploaded),
    ]
    return rows + [(q.label, str(values.get(q.qid, ""))) for q in job.questions]


async def start(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    member = signed_in(request, SITE)
    if flags.closed or job.traps["external_apply"] or (flags.login_wall and not member):
        return JSONResponse({"error": CLOSED if flags.closed else "Sign in to apply"}, 403)
    if member and checkpoint.due(request, flags):
        return JSONResponse({"error": "Sign in to apply"}, 403)
    if lm.limit_reached(request, flags):
        return JSONResponse({"limit": lm.LIMIT}, 429)
    draft: dict[str, Any] = {"id": secrets.token_urlsafe(8), "fields": {}, "files": [], "blobs": {}, "chosen": 0}
    draft["earlier"], blobs = lm.earlier_resumes(lm.member(request)[0].get("name", ""))
    draft["blobs"].update(blobs)
    session(request)[f"linkedin-draft:{job.job_id}"] = draft
    return JSONResponse({"draft": draft["id"], "html": _render(request, job, flags, "contact", draft, {})})


async def step_get(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    draft, step = _draft(request, job), request.path_params["step"]
    if draft is None or step not in ls.steps(job):
        return JSONResponse({"error": "This application is no longer available."}, 404)
    return JSONResponse({"html": _render(request, job, flags, step, draft, {})})


def _contact_errors(request: Request, job: Job, flags: JobFlags, received: Received) -> dict[str, str]:
    ids, emails = job.ids, lm.member(request)[1]
    email, country, phone = (received.text(ids[k]) for k in ("email", "phone_country", "phone"))
    errors: dict[str, str] = {}
    if not email or email == ls.SELECT_PROMPT or (emails and email not in emails):
        errors[ids["email"]] = VALID_ANSWER
    elif not emails and not email_ok(email):
        errors[ids["email"]] = "Please enter a valid email address"
    if country not in ls.PHONE_COUNTRIES:
        errors[ids["phone_country"]] = VALID_ANSWER
    if not phone:
        errors[ids["phone"]] = VALID_ANSWER
    elif not phone_ok(phone, flags):
        errors[ids["phone"]] = "Please enter a valid phone number"
    return errors


def _step_errors(
    request: Request, job: Job, flags: JobFlags, step: str, received: Received, draft: dict[str, Any]
) -> dict[str, str]:
    if step == "contact":
        return _contact_errors(request, job, flags, received)
    if step == "resume":
        choice = received.text(ls.CHOICE)
        chosen = choice.lstrip("-").isdigit() and 0 <= int(choice) < len(draft["earlier"])
        has_resume = received.file("resume") or chosen or any(f.field == "resume" for f in draft["files"])
        return {} if has_resume else {"resume": "A resume is required"}
    if step == "review":
        ok = captcha_ok(request, flags, received.text("g-recaptcha-response"))
        return {} if ok else {"captcha": "Please complete the security check"}
    return checks.question_errors(job, step, received)


def _by_name(job: Job, posted: Received) -> Received:
    """What the page posted (keyed by DOM id, the inputs having no names), keyed as LinkedIn's payload is."""
    names = ls.names_by_dom_id(job)
    out = Received(blobs=posted.blobs)
    for key, value in posted.fields.items():
        for item in [value] if isinstance(value, str) else value:
            out.add(names.get(key, key), item)
    out.files = [dataclasses.replace(f, field=names.get(f.field, f.field)) for f in posted.files]
    return out


def _save(draft: dict[str, Any], received: Received) -> None:
    choice = received.fields.pop(ls.CHOICE, None)
    if isinstance(choice, str) and choice.isdigit() and int(choice) < len(draft["earlier"]) and not received.files:
        draft["chosen"] = int(choice)
        draft["files"] = [f for f in draft["files"] if f.field != "resume"] + [draft["earlier"][int(choice)]]
    draft["fields"].update({k: v for k, v in received.fields.items() if v != ls.SELECT_PROMPT})
    for upload in received.files:
        draft["files"] = [f for f in draft["files"] if f.field != upload.field] + [upload]
    draft["blobs"].update(received.blobs)


async def step_post(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.path_params["job_id"])
    draft, step = _draft(request, job), request.path_params["step"]
    if draft is None or step not in ls.steps(job):
        return JSONResponse({"error": "This application is no longer available."}, 404)
    received = _by_name(job, await read_form(request))
    errors = _step_errors(request, job, flags, step, received, draft)
    if errors or flags.closed:
        banner = CLOSED if flags.closed else ""
        typed = draft | {"fields": draft["fields"] | received.fields}
        return JSONResponse({"html": _render(request, job, flags, step, typed, errors, banner)}, 422)
    _save(draft, received)
    if step != "review":
        following = ls.steps(job)[ls.steps(job).index(step) + 1]
        return JSONResponse({"html": _render(request, job, flags, following, draft, {})})
    return await _submit(request, job, flags, draft, received.text("g-recaptcha-response"))


async def _submit(request: Request, job: Job, flags: JobFlags, draft: dict[str, Any], token: str) -> Response:
    email = str(draft["fields"].get(job.ids["email"], ""))
    if lm.limit_reached(request, flags):
        return JSONResponse({"html": _render(request, job, flags, "review", draft, {}, lm.LIMIT)}, 429)
    if already_applied(sbx(request), job, flags, email):
        html = _render(request, job, flags, "review", draft, {}, "You've already applied to this job.")
        return JSONResponse({"html": html}, 409)
    fields = {k: v for k, v in draft["fields"].items() if not k.endswith("captcha-response")}
    await accept(request, job, email, Received(fields=fields, files=draft["files"], blobs=draft["blobs"]), token)
    session(request).pop(f"linkedin-draft:{job.job_id}", None)
    session(request).setdefault("linkedin-applied", []).append(job.job_id)
    return JSONResponse({"html": ls.sent(job), "done": True})


async def discard(request: Request) -> Response:
    session(request).pop(f"linkedin-draft:{request.path_params['job_id']}", None)
    return JSONResponse({"discarded": True})


async def typeahead(request: Request) -> Response:
    return JSONResponse({"elements": [{"title": c} for c in places.cities(request.query_params.get("q", ""))]})


def routes() -> list[Route]:
    base = "/linkedin/jobs/view/{job_id}/easy-apply"
    return [
        Route("/linkedin/jobs/", search),
        Route(ls.TYPEAHEAD, typeahead),
        Route("/linkedin/jobs/view/{job_id}/", job_page),
        Route(f"{base}/start", start, methods=["POST"]),
        Route(f"{base}/discard", discard, methods=["POST"]),
        Route(f"{base}/{{draft}}/{{step}}", step_get),
        Route(f"{base}/{{draft}}/{{step}}", step_post, methods=["POST"]),
        *checkpoint.routes(),
    ]
