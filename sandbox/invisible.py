"""Invisible CAPTCHAs as the real pages carry them: the script tag, the hidden response textarea and
an invisible anchor frame, all served from here. They score every browser that runs the page's script
as a person, so they never stop one; a detector that parks every page with a CAPTCHA script fails.
"""

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.html import esc
from sandbox.state import sbx

STATIC = Path(__file__).parent / "static"
# Site keys in the shape the real services hand out; nothing checks them, pages only pass them along.
SITE_KEYS = {
    "recaptcha-enterprise": "6LfsbxQqAAAAAEnterpriseSandboxKeyGh0m8xQ2rVbW",
    "recaptcha-v3": "6LeAshbyAAAAAV3SandboxKeyForJobsPages0x7kM1pQ",
    "hcaptcha": "9f1c5e2a-7b3d-4c8e-a6f0-2d4b8e1c3a57",
}
LEVER_APPLY = re.compile(r"^/lever/[^/]+/([^/]+)/apply")
HIDDEN_TEXTAREA = (
    "width: 250px; height: 40px; border: 1px solid rgb(193, 193, 193); margin: 10px 25px; padding: 0px;"
    " resize: none; display: none;"
)


def script_tag(kind: str) -> str:
    key = SITE_KEYS[kind]
    if kind == "hcaptcha":
        return '<script src="/hcaptcha/1/api.js?render=explicit&recaptchacompat=on" async defer></script>'
    path = "enterprise.js" if kind == "recaptcha-enterprise" else "api.js"
    return f'<script src="/recaptcha/{path}?render={key}" async defer></script>'


def recaptcha_badge(kind: str) -> str:
    """The badge reCAPTCHA v3 and Enterprise add to the page, hidden as Greenhouse and Ashby hide it."""
    flavor = "enterprise" if kind == "recaptcha-enterprise" else "api2"
    src = f"/recaptcha/{flavor}/anchor?ar=1&amp;k={SITE_KEYS[kind]}&amp;hl=en&amp;v=sandbox&amp;size=invisible"
    return (
        '<div class="grecaptcha-badge" data-style="bottomright" style="width: 256px; height: 60px;'
        " display: block; position: fixed; bottom: 14px; right: -186px; visibility: hidden;"
        ' overflow: hidden;"><div class="grecaptcha-logo"><iframe title="reCAPTCHA" width="256" height="60"'
        ' role="presentation" name="a-sbx0invisible" frameborder="0" scrolling="no" tabindex="-1"'
        f' src="{src}"></iframe></div><div class="grecaptcha-error"></div>'
        '<textarea id="g-recaptcha-response-100000" name="g-recaptcha-response" class="g-recaptcha-response"'
        f' style="{HIDDEN_TEXTAREA}"></textarea></div>'
    )


def hcaptcha_widget() -> str:
    """hCaptcha's invisible widget: its frame and two hidden textareas (it answers to both names)."""
    key = SITE_KEYS["hcaptcha"]
    return (
        f'<div class="h-captcha" data-sitekey="{key}" data-size="invisible" data-hcaptcha-widget>'
        '<iframe src="/hcaptcha/hcaptcha.html#frame=checkbox-invisible&amp;id=0sbx1invisible" tabindex="-1"'
        ' frameborder="0" scrolling="no" title="Widget containing checkbox for hCaptcha security challenge"'
        ' data-hcaptcha-widget-id="0sbx1invisible" data-hcaptcha-response="" style="display: none;"></iframe>'
        '<textarea id="g-recaptcha-response-0sbx1invisible" name="g-recaptcha-response" style="display: none;">'
        '</textarea><textarea id="h-captcha-response-0sbx1invisible" name="h-captcha-response"'
        ' style="display: none;"></textarea></div>'
    )


def invisible_markup(kind: str) -> str:
    if not kind:
        return ""
    return script_tag(kind) + (hcaptcha_widget() if kind == "hcaptcha" else recaptcha_badge(kind))


async def recaptcha_js(request: Request) -> Response:
    return FileResponse(STATIC / "recaptcha.js", media_type="text/javascript")


async def hcaptcha_js(request: Request) -> Response:
    return FileResponse(STATIC / "hcaptcha.js", media_type="text/javascript")


async def anchor(request: Request) -> Response:
    name = "hCaptcha" if request.url.path.startswith("/hcaptcha") else "reCAPTCHA"
    body = f'<div class="rc-anchor rc-anchor-invisible" aria-hidden="true">protected by {esc(name)}</div>'
    return HTMLResponse(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>{body}</body></html>')


async def recaptcha_token(request: Request) -> Response:
    return JSONResponse({"token": sbx(request).captcha.invisible()})


def _challenge_due(request: Request, page_url: str) -> bool:
    """hCaptcha decides on its server whether to challenge; here that is the captcha flag of the job
    whose apply page asks (Lever is the one platform carrying hCaptcha)."""
    url = urlsplit(page_url)
    found = LEVER_APPLY.match(url.path)
    state = sbx(request)
    job = state.catalog.get("lever", found.group(1)) if found else None
    if job is None:
        return False
    return state.flags.effective(job.defaults, job.site, job.job_id, dict(parse_qsl(url.query))).captcha


async def hcaptcha_check(request: Request) -> Response:
    try:
        body = await request.json()
        page_url = str(body.get("host", ""))
    except (ValueError, AttributeError):
        return JSONResponse({"pass": False, "error-codes": ["invalid-data"]}, 400)
    if _challenge_due(request, page_url):
        return JSONResponse({"pass": False, "challenge": True})
    return JSONResponse({"pass": True, "generated_pass_UUID": sbx(request).captcha.invisible(), "expiration": 120})


def routes() -> list[Route]:
    return [
        Route("/recaptcha/enterprise.js", recaptcha_js),
        Route("/recaptcha/api.js", recaptcha_js),
        Route("/recaptcha/{flavor}/anchor", anchor),
        Route("/recaptcha/{flavor}/reload", recaptcha_token, methods=["POST"]),
        Route("/hcaptcha/1/api.js", hcaptcha_js),
        Route("/hcaptcha/hcaptcha.html", anchor),
        Route("/hcaptcha/getcaptcha", hcaptcha_check, methods=["POST"]),
    ]
