"""Greenhouse boards embedded in a company's own careers page: the page links jobs as ?gh_jid=<id>
and shows the application inside iframe#grnhse_iframe, as the embed script does."""

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sandbox.gate import open_job, qs
from sandbox.html import description, esc, page
from sandbox.sites.greenhouse import SITE, embedded_url, render_job
from sandbox.state import sbx

EMBED_HEIGHT_PX = 3200  # the embed script grows the frame to its content; a fixed tall frame stands in


async def company_page(request: Request) -> Response:
    org = request.path_params["org"]
    jobs = [j for j in sbx(request).catalog.org(SITE, org) if j.traps["embedded"]]
    wanted = request.query_params.get("gh_jid", "")
    job = next((j for j in jobs if j.job_id == wanted), None)
    if not jobs:
        return HTMLResponse("Not found", 404)
    if job is None:
        rows = "".join(f'<li><a href="{embedded_url(j)}">{esc(j.title)}</a></li>' for j in jobs)
        body = f'<main class="company-careers"><h1>Careers at {esc(jobs[0].company)}</h1><ul>{rows}</ul></main>'
        return HTMLResponse(page(f"Careers at {jobs[0].company}", body, css=("greenhouse.css",)))
    flag_qs = qs(request).lstrip("?")
    src = f"/greenhouse/embed/job_app?for={esc(job.org)}&amp;token={esc(job.job_id)}"
    src += f"&amp;{esc(flag_qs)}" if flag_qs else ""
    body = (
        f'<header class="company-header"><strong>{esc(job.company)}</strong> <nav><a href="#">About</a>'
        f' <a href="{embedded_url(job).split("?")[0]}">Careers</a></nav></header>'
        f'<main class="company-careers"><h1>{esc(job.title)}</h1><p>{esc(job.location)}</p>'
        f'<section class="company-description">{description(job)}</section>'
        f'<div id="grnhse_app"><iframe id="grnhse_iframe" title="Greenhouse Job Board" src="{src}"'
        f' width="100%" height="{EMBED_HEIGHT_PX}" frameborder="0" scrolling="no"></iframe></div></main>'
    )
    return HTMLResponse(page(f"{job.title} - {job.company}", body, css=("greenhouse.css",)))


async def embed(request: Request) -> Response:
    job, flags = await open_job(request, SITE, request.query_params.get("token", ""))
    if job.org != request.query_params.get("for", ""):
        return HTMLResponse("Not found", 404)
    return render_job(request, job, flags)


def routes() -> list[Route]:
    return [
        Route("/greenhouse/company/{org}/careers", company_page),
        Route("/greenhouse/embed/job_app", embed),
    ]
