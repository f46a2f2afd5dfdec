"""LinkedIn's checkpoints between a member and the jobs: the security check ("Let's do a quick
security check") and two-step verification (a code sent to the member's phone), each at
`/linkedin/checkpoint/challenge/<id>`. A job with the `checkpoint` or `two_step` flag sends a
signed-in member there until their browser passed it once; the long-lived cookie remembers that.
The code of a two-step challenge is what the member's phone shows: tests read it at
`GET /_admin/challenges`."""

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.flags import JobFlags
from sandbox.html import esc, page
from sandbox.remember import cookie_name
from sandbox.state import sbx, session

SITE = "linkedin"
PASSED = "linkedin:checkpoint_passed"
PREFIX = "linkedin-challenge:"
WRONG_CODE = "The verification code you entered isn't valid. Please check the code and try again."
NOT_CHECKED = "Please confirm that you're not a robot."


def due(request: Request, flags: JobFlags) -> str | None:
    """The kind of checkpoint this job puts in front of the member now, if any."""
    if not (flags.checkpoint or flags.two_step) or session(request).get(PASSED):
        return None
    remembered = sbx(request).signins.lookup(SITE, request.cookies.get(cookie_name(SITE)))
    if remembered is not None and remembered.checkpoint_passed:
        return None
    return "two_step" if flags.two_step else "checkpoint"


def challenge(request: Request, kind: str, email: str, next_path: str) -> Response:
    """Opens a challenge for the member and sends the browser to it."""
    cid = "AQ" + secrets.token_urlsafe(18)
    code = f"{secrets.randbelow(10**6):06d}"
    sbx(request).pending[PREFIX + cid] = {"kind": kind, "email": email, "next": next_path, "code": code}
    return RedirectResponse(f"/linkedin/checkpoint/challenge/{cid}", status_code=303)


def _render(cid: str, kind: str, error: str = "") -> str:
    alert = f'<div class="alert alert--error" role="alert" id="challenge-error">{esc(error)}</div>' if error else ""
    if kind == "two_step":
        heading = "Two-step verification"
        body = (
            "<p>Enter the 6-digit code we sent to your phone number ending in ••55.</p>"
            '<label for="input__phone_verification_pin">Enter code</label>'
            '<input id="input__phone_verification_pin" name="pin" type="text" inputmode="numeric"'
            ' autocomplete="one-time-code" maxlength="6" required>'
            '<button type="submit" id="two-step-submit-button" class="btn__primary--large">Submit</button>'
        )
    else:
        heading = "Let\u2019s do a quick security check"
        body = (
            "<p>We just need to make sure you\u2019re not a robot. This helps us keep LinkedIn safe.</p>"
            '<label class="checkpoint__robot"><input type="checkbox" name="not_a_robot" id="not-a-robot">'
            " I\u2019m not a robot</label>"
            '<button type="submit" id="checkpoint-submit-button" class="btn__primary--large">Verify</button>'
        )
    form = f'<form method="post" class="challenge__form" action="/linkedin/checkpoint/challenge/{esc(cid)}">'
    html = (
        f'<main class="signin signin--linkedin checkpoint"><div class="signin__card"><h1>{heading}</h1>'
        f"{alert}{form}{body}</form></div></main>"
    )
    return page("Security Verification | LinkedIn", html, css=("linkedin.css",), body_class="linkedin-signin")


def _found(request: Request) -> tuple[str, dict[str, Any]] | None:
    cid = request.path_params["cid"]
    found: dict[str, Any] | None = sbx(request).pending.get(PREFIX + cid)
    return (cid, found) if found is not None else None


async def show(request: Request) -> Response:
    found = _found(request)
    if found is None:
        return RedirectResponse("/linkedin/login", status_code=303)
    return HTMLResponse(_render(found[0], found[1]["kind"]))


async def answer(request: Request) -> Response:
    found = _found(request)
    if found is None:
        return RedirectResponse("/linkedin/login", status_code=303)
    cid, pending = found
    async with request.form() as form:
        pin, robot = str(form.get("pin", "")).strip(), bool(form.get("not_a_robot"))
    if pending["kind"] == "two_step" and pin != pending["code"]:
        return HTMLResponse(_render(cid, "two_step", WRONG_CODE), status_code=400)
    if pending["kind"] == "checkpoint" and not robot:
        return HTMLResponse(_render(cid, "checkpoint", NOT_CHECKED), status_code=400)
    del sbx(request).pending[PREFIX + cid]
    session(request)[PASSED] = True
    remembered = sbx(request).signins.lookup(SITE, request.cookies.get(cookie_name(SITE)))
    if remembered is not None:
        remembered.checkpoint_passed = True
    return RedirectResponse(pending["next"], status_code=303)


def pending_json(request: Request) -> list[dict[str, Any]]:
    return [
        {"challenge_id": key.removeprefix(PREFIX), **value}
        for key, value in sbx(request).pending.items()
        if key.startswith(PREFIX)
    ]


def routes() -> list[Route]:
    path = "/linkedin/checkpoint/challenge/{cid}"
    return [Route(path, show), Route(path, answer, methods=["POST"])]
