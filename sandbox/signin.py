"""The login wall: a platform-styled sign-in page in front of a job, backed by the accounts store.

Accounts come from POST /_admin/accounts (Workday has its own create-account flow in its module).
"""

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.html import esc, page
from sandbox.remember import MAX_AGE_S, cookie_name
from sandbox.state import sbx, session

# site: (page title, heading, subtitle, email label, button text, form action)
SIGNIN: dict[str, tuple[str, str, str, str, str, str]] = {
    "linkedin": (
        "LinkedIn Login, Sign in | LinkedIn",
        "Sign in",
        "Stay updated on your professional world",
        "Email or phone",
        "Sign in",
        "/linkedin/checkpoint/lg/login-submit",
    ),
    "greenhouse": (
        "Sign in | MyGreenhouse",
        "Sign in to MyGreenhouse",
        "Use your MyGreenhouse account.",
        "Email",
        "Sign in",
        "/greenhouse/login",
    ),
    "lever": (
        "Sign in",
        "Sign in to continue",
        "This posting is only open to signed-in candidates.",
        "Email",
        "Sign in",
        "/lever/login",
    ),
    "ashby": ("Sign in", "Sign in to continue", "Sign in to view this job.", "Email", "Continue", "/ashby/login"),
    "careers": (
        "Candidate sign in",
        "Candidate sign in",
        "Please sign in to view this opening.",
        "Email address",
        "Sign in",
        "/careers/login",
    ),
}
LOGIN_PATH = {"linkedin": "/linkedin/login"}


def login_url(site: str, next_path: str) -> str:
    param = "session_redirect" if site == "linkedin" else "next"
    return f"{LOGIN_PATH.get(site, f'/{site}/login')}?{param}={quote(next_path, safe='')}"


def _safe_next(raw: str | None) -> str:
    return raw if raw and raw.startswith("/") and not raw.startswith("//") else "/"


def render(site: str, next_path: str, error: str = "", email: str = "") -> str:
    title, heading, subtitle, email_label, button, action = SIGNIN[site]
    alert = f'<div class="alert alert--error" role="alert" id="error-for-password">{esc(error)}</div>' if error else ""
    body = (
        f'<main class="signin signin--{site}"><div class="signin__card"><h1>{esc(heading)}</h1>'
        f'<p class="signin__subtitle">{esc(subtitle)}</p>{alert}'
        f'<form method="post" action="{esc(action)}" class="login__form">'
        f'<input type="hidden" name="next" value="{esc(next_path)}">'
        f'<label for="username">{esc(email_label)}</label>'
        f'<input id="username" name="session_key" type="text" autocomplete="username" value="{esc(email)}" required>'
        '<label for="password">Password</label>'
        '<input id="password" name="session_password" type="password" autocomplete="current-password" required>'
        f'<button type="submit" class="btn__primary--large" aria-label="{esc(button)}">{esc(button)}</button>'
        "</form></div></main>"
    )
    return page(title, body, css=(f"{site}.css",), body_class=f"{site}-signin")


async def show(request: Request) -> Response:
    site = request.url.path.split("/")[1]
    nxt = request.query_params.get("next") or request.query_params.get("session_redirect")
    return HTMLResponse(render(site, _safe_next(nxt)))


async def submit(request: Request) -> Response:
    site = request.url.path.split("/")[1]
    async with request.form() as form:
        email, password = str(form.get("session_key", "")), str(form.get("session_password", ""))
        nxt = _safe_next(str(form.get("next", "")))
    account = sbx(request).accounts.get(site, email)
    if account is None or not account.check(password):
        error = "Wrong email or password. Try again or create an account."
        return HTMLResponse(render(site, nxt, error, email), status_code=401)
    session(request)[f"signed_in:{site}"] = account.email
    token = sbx(request).signins.signed_in(site, account.email)
    answer = RedirectResponse(nxt, status_code=303)
    answer.set_cookie(cookie_name(site), token, max_age=MAX_AGE_S, path="/", httponly=True, samesite="lax")
    return answer


def routes() -> list[Route]:
    out = [Route("/linkedin/login", show), Route("/linkedin/checkpoint/lg/login-submit", submit, methods=["POST"])]
    for site in ("greenhouse", "lever", "ashby", "careers"):
        out += [Route(f"/{site}/login", show), Route(f"/{site}/login", submit, methods=["POST"])]
    return out
