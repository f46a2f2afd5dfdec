"""The job seeker's page: sign-up and sign-in, then views whose JavaScript calls the same /api/v1 routes.

Signing in sets the API's own tokens as HttpOnly cookies (services/intake/cookies.py); a view whose
access token has expired refreshes it from the refresh cookie on the way, and one without a
session goes to sign-in, coming back to where it was asked for afterwards.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit
from uuid import UUID

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from runtime import screen
from runtime.service import Service
from runtime.tokens import BadToken, Principal, verify_access
from services.intake import accounts, cookies, page_html, web
from services.intake.errors import ApiError

STATIC = Path(__file__).parent / "static"
Render = Callable[[str, Request], str]  # (the CSRF token, the request) -> the view's HTML
Endpoint = Callable[[Request], Awaitable[Response]]
# A browser caches what it may; the pages themselves are never cached (they carry the CSRF token).
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


def _csp(svc: Service) -> str:
    """The pages' policy; the task view's live browser also connects to takeover (its socket only)."""
    takeover = web.settings(svc).takeover_public_url
    if not takeover:
        return CSP
    parts = urlsplit(takeover)
    socket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return f"{CSP}; connect-src 'self' {socket}"


def _secret(svc: Service) -> str:
    return web.settings(svc).secret_key.get_secret_value()


def _html(text: str, status: int = 200, csp: str = CSP) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={**NO_STORE, "Content-Security-Policy": csp})


def _remember(svc: Service, request: Request, response: Response, tokens: dict[str, object]) -> None:
    cookies.set_tokens(response, tokens, cookies.secure(request), web.settings(svc).session_ttl_days)


def _safe_next(raw: str | None) -> str:
    """Only a path of this page: a sign-in link must not send anyone to another site."""
    parts = urlsplit(raw or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/app") or raw is None:
        return "/app"
    return raw


async def signed_in(svc: Service, request: Request) -> tuple[Principal | None, dict[str, object] | None]:
    """Who the cookies say, refreshing an expired access token (the new tokens are returned to set)."""
    access = request.cookies.get(cookies.ACCESS_COOKIE)
    if access:
        try:
            return verify_access(access, _secret(svc)), None
        except BadToken:
            pass
    refresh = request.cookies.get(cookies.REFRESH_COOKIE)
    if not refresh:
        return None, None
    try:
        tokens = await accounts.rotate(svc, refresh)
    except ApiError:
        return None, None
    return verify_access(str(tokens["access_token"]), _secret(svc)), tokens


def _view(svc: Service, render: Render) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        who, tokens = await signed_in(svc, request)
        if who is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/app/signin?next={quote(target)}", status_code=303)
        csrf = cookies.csrf_token(_secret(svc), who.session_id)
        answer = _html(render(csrf, request), csp=_csp(svc))
        if tokens:
            _remember(svc, request, answer, tokens)
        return answer

    return endpoint


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def _sign_in_page(svc: Service) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        next_path = _safe_next(request.query_params.get("next"))
        if request.method == "GET":
            who, _ = await signed_in(svc, request)
            if who is not None:
                return RedirectResponse(next_path, status_code=303)
            return _html(page_html.sign_in(next_path=next_path))
        form = await _form(request)
        next_path = _safe_next(form.get("next"))
        try:
            login = accounts.Login.model_validate({k: form.get(k, "") for k in ("email", "password")})
            tokens = await accounts.sign_in(svc, login)
        except (ApiError, ValidationError):
            return _html(page_html.sign_in("Wrong e-mail or password.", form.get("email", ""), next_path), 401)
        answer = RedirectResponse(next_path, status_code=303)
        _remember(svc, request, answer, tokens)
        return answer

    return endpoint


def _problem(exc: ValidationError) -> str:
    names = {str(e["loc"][0]) for e in exc.errors(include_url=False, include_input=False)}
    if "password" in names:
        return "The password needs 10 characters or more."
    if "email" in names:
        return "That does not look like an e-mail address."
    return "Please fill in your name, e-mail and a password."


def _sign_up_page(svc: Service) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            return _html(page_html.sign_up())
        form = await _form(request)
        email, name = form.get("email", ""), form.get("name", "")
        try:
            body = accounts.Register.model_validate({k: form.get(k, "") for k in ("email", "password", "name")})
            await accounts.create_account(svc, body)
            tokens = await accounts.sign_in(svc, accounts.Login(email=body.email, password=body.password))
        except ValidationError as exc:
            return _html(page_html.sign_up(_problem(exc), email, name), 422)
        except ApiError as exc:
            return _html(page_html.sign_up(exc.message[:1].upper() + exc.message[1:] + ".", email, name), exc.status)
        answer = RedirectResponse("/app/profile?welcome=1", status_code=303)
        _remember(svc, request, answer, tokens)
        return answer

    return endpoint


def _sign_out(svc: Service) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        who, _ = await signed_in(svc, request)
        form = await _form(request)
        if who is not None and cookies.csrf_ok(_secret(svc), who.session_id, form.get(cookies.CSRF_FIELD)):
            async with svc.pool.acquire() as conn:
                await conn.execute("UPDATE sessions SET revoked_at = now() WHERE session_id = $1", who.session_id)
        answer = RedirectResponse("/app/signin", status_code=303)
        cookies.clear_tokens(answer)
        return answer

    return endpoint


def _refresh(svc: Service) -> Endpoint:
    """The page's script asks for new tokens when the API answered 401 (an access token expired)."""

    async def endpoint(request: Request) -> Response:
        try:
            tokens = await accounts.rotate(svc, request.cookies.get(cookies.REFRESH_COOKIE, ""))
        except ApiError:
            answer = JSONResponse({"error": "unauthorized", "message": "sign in again"}, status_code=401)
            cookies.clear_tokens(answer)
            return answer
        answer = JSONResponse({"refreshed": True})
        _remember(svc, request, answer, tokens)
        return answer

    return endpoint


def _task_view(csrf: str, request: Request) -> str:
    try:
        task_id = str(UUID(request.path_params["task_id"]))
    except ValueError:
        return page_html.gone(csrf, "Not found", "There is no such application.")
    return page_html.task(csrf, task_id)


async def _home(request: Request) -> Response:
    return RedirectResponse("/app", status_code=303)


def routes(svc: Service) -> list[BaseRoute]:
    def view(render: Render) -> Endpoint:
        return _view(svc, render)

    return [
        Route("/", _home),
        Route("/app", view(lambda csrf, request: page_html.applications(csrf))),
        Route("/app/tasks/{task_id}", view(_task_view)),
        Route("/app/profile", view(lambda csrf, request: page_html.profile(csrf))),
        Route("/app/accounts", view(lambda csrf, request: page_html.accounts(csrf))),
        Route("/app/notifications", view(lambda csrf, request: page_html.notifications(csrf))),
        Route("/app/signin", _sign_in_page(svc), methods=["GET", "POST"]),
        Route("/app/signup", _sign_up_page(svc), methods=["GET", "POST"]),
        Route("/app/signout", _sign_out(svc), methods=["POST"]),
        Route("/app/session/refresh", _refresh(svc), methods=["POST"]),
        Mount("/app/static", app=StaticFiles(directory=STATIC), name="seeker-static"),
        screen.mount("/app/shared"),
    ]
