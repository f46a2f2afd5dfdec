"""The admin JSON API under /_admin: job flags, submissions, the mailbox, accounts, reset.

It stands for the tester's view of the outside world; product code must never call it.
"""

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.flags import FlagError, parse_overrides
from sandbox.jobs import SITES, Job
from sandbox.sites import linkedin_checkpoint
from sandbox.state import sbx


def _job_json(request: Request, job: Job) -> dict[str, Any]:
    flags = sbx(request).flags.admin(job.defaults, job.site, job.job_id)
    return job.as_json() | {"flags": flags.as_json(), "url": f"{request.base_url}".rstrip("/") + job.path}


def _find_job(request: Request) -> Job | None:
    return sbx(request).catalog.get(request.path_params["site"], request.path_params["job_id"])


async def list_jobs(request: Request) -> Response:
    site = request.query_params.get("site")
    jobs = sbx(request).catalog.site(site) if site else sbx(request).catalog.all()
    return JSONResponse({"jobs": [_job_json(request, j) for j in jobs]})


async def get_job(request: Request) -> Response:
    job = _find_job(request)
    if job is None:
        return JSONResponse({"error": "no such job"}, 404)
    return JSONResponse(_job_json(request, job))


async def set_flags(request: Request) -> Response:
    job = _find_job(request)
    if job is None:
        return JSONResponse({"error": "no such job"}, 404)
    try:
        overrides = parse_overrides(await request.json(), strict=True)
    except (FlagError, ValueError, AttributeError) as exc:
        return JSONResponse({"error": str(exc)}, 400)
    sbx(request).flags.set(job.site, job.job_id, overrides)
    return JSONResponse(_job_json(request, job))


async def clear_flags(request: Request) -> Response:
    sbx(request).flags.clear(request.path_params["site"], request.path_params["job_id"])
    return await get_job(request)


async def submissions(request: Request) -> Response:
    q = request.query_params
    found = sbx(request).records.find(q.get("site"), q.get("job") or q.get("job_id"), q.get("email"))
    return JSONResponse({"submissions": [s.as_json() for s in found]})


def _since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def mailbox(request: Request) -> Response:
    try:
        since = _since(request.query_params.get("since"))
    except ValueError:
        return JSONResponse({"error": "since: an ISO 8601 timestamp"}, 400)
    found = sbx(request).mail.find(request.query_params.get("to"), since)
    return JSONResponse({"messages": [m.as_json() for m in found]})


async def mail_one(request: Request) -> Response:
    mail = sbx(request).mail.get(request.path_params["mail_id"])
    return JSONResponse(mail.as_json()) if mail else JSONResponse({"error": "no such message"}, 404)


async def mail_raw(request: Request) -> Response:
    mail = sbx(request).mail.get(request.path_params["mail_id"])
    if mail is None:
        return JSONResponse({"error": "no such message"}, 404)
    return Response(mail.raw, media_type="message/rfc822")


async def create_account(request: Request) -> Response:
    body = await request.json()
    realm, email, password = str(body.get("site", "")), str(body.get("email", "")), str(body.get("password", ""))
    if not (realm and email and password):
        return JSONResponse({"error": "site, email and password are required"}, 400)
    sbx(request).accounts.create(
        realm,
        email,
        password,
        verified=bool(body.get("verified", True)),
        name=str(body.get("name", "")),
        phone=str(body.get("phone", "")),
        country=str(body.get("country", "")),
        second_email=str(body.get("second_email", "")),
    )
    return JSONResponse({"site": realm, "email": email.lower()}, 201)


async def signins(request: Request) -> Response:
    """Every password sign-in (a session reused through its cookie is not one)."""
    found = sbx(request).signins.find(request.query_params.get("site"), request.query_params.get("email"))
    return JSONResponse({"signins": found})


async def challenges(request: Request) -> Response:
    """LinkedIn's open checkpoints, with the code a two-step one sent to the member's phone."""
    return JSONResponse({"challenges": linkedin_checkpoint.pending_json(request)})


async def list_accounts(request: Request) -> Response:
    return JSONResponse({"accounts": sbx(request).accounts.listed(request.query_params.get("site", ""))})


async def captcha_answer(request: Request) -> Response:
    state = sbx(request)
    challenge = state.captcha.get(request.path_params["cid"]) if state.captcha_oracle else None
    if challenge is None:
        return JSONResponse({"error": "not found"}, 404)
    return JSONResponse({"target": challenge.target, "answer": challenge.answer})


async def list_holds(request: Request) -> Response:
    return JSONResponse({"holds": sbx(request).holds.as_json()})


async def hold(request: Request) -> Response:
    job = _find_job(request)
    if job is None:
        return JSONResponse({"error": "no such job"}, 404)
    sbx(request).holds.hold(job.site, job.job_id)
    return JSONResponse({"holds": sbx(request).holds.as_json()})


async def release(request: Request) -> Response:
    sbx(request).holds.release(request.path_params["site"], request.path_params["job_id"])
    return JSONResponse({"holds": sbx(request).holds.as_json()})


async def reset(request: Request) -> Response:
    sbx(request).reset()
    return JSONResponse({"reset": True})


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "sites": list(SITES), "smtp_port": sbx(request).mailer.port})


def routes() -> list[Route]:
    job = "/_admin/jobs/{site}/{job_id}"
    return [
        Route("/_admin/health", health),
        Route("/_admin/jobs", list_jobs),
        Route(job, get_job),
        Route(job, set_flags, methods=["POST"]),
        Route(job, clear_flags, methods=["DELETE"]),
        Route("/_admin/submissions", submissions),
        Route("/_admin/mailbox", mailbox),
        Route("/_admin/mailbox/{mail_id}", mail_one),
        Route("/_admin/mailbox/{mail_id}/raw", mail_raw),
        Route("/_admin/accounts", create_account, methods=["POST"]),
        Route("/_admin/signins", signins),
        Route("/_admin/challenges", challenges),
        Route("/_admin/accounts", list_accounts),
        Route("/_admin/captcha/{cid}", captcha_answer),
        Route("/_admin/holds", list_holds),
        Route("/_admin/holds/{site}/{job_id}", hold, methods=["POST"]),
        Route("/_admin/holds/{site}/{job_id}", release, methods=["DELETE"]),
        Route("/_admin/reset", reset, methods=["POST"]),
    ]
