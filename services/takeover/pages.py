"""The operator page: server-rendered HTML with a little JavaScript (static/), nothing from outside."""

from html import escape
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from runtime import objects, screen
from runtime.service import Service
from services.takeover import api, store
from services.takeover.auth import COOKIE, NotOperator, sign_in
from services.takeover.settings import TakeoverSettings

STATIC = Path(__file__).parent / "static"
# The sign-in cookie lives as long as the access token it holds.
COOKIE_MAX_AGE_S = 15 * 60


def _page(title: str, body: str, signed_in: bool = True) -> HTMLResponse:
    nav = (
        '<nav><a href="/">Queue</a><form method="post" action="/logout" style="margin:0">'
        '<button class="link" type="submit">Sign out</button></form></nav>'
        if signed_in
        else ""
    )
    return HTMLResponse(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · Autoapply operators</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/operator.css"></head>'
        f"<body><header><h1>Autoapply · operators</h1>{nav}</header><main>{body}</main></body></html>"
    )


def _login_form(message: str = "") -> HTMLResponse:
    note = f'<div class="notice bad" role="alert">{escape(message)}</div>' if message else ""
    return _page(
        "Sign in",
        f'<form class="login card" method="post" action="/login">{note}<h2>Operator sign-in</h2>'
        '<label for="email">E-mail</label><input type="text" id="email" name="email" autocomplete="username" required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" required '
        'style="width:100%;padding:8px;border:1px solid var(--line);border-radius:6px">'
        '<div class="buttons"><button class="primary" type="submit">Sign in</button></div></form>',
        signed_in=False,
    )


def _queue_page() -> HTMLResponse:
    return _page(
        "Queue",
        '<h2>Waiting for a person: <span id="queue-count">…</span></h2>'
        '<p class="muted">Ordered by task priority, then age. Open one to claim it; nobody else can work on it '
        "while you have it open.</p>"
        '<table class="queue"><thead><tr><th>Kind</th><th>What is needed</th><th>Where</th><th>Task</th>'
        "<th>Time left</th><th></th>"
        '</tr></thead><tbody id="queue-body"></tbody></table><script src="/static/queue.js"></script>',
    )


def _question_inputs(questions: list[dict[str, Any]]) -> str:
    parts = []
    for n, q in enumerate(questions):
        label, options = str(q.get("label", "")), [str(o) for o in q.get("options", ())]
        field_id = f"q{n}"
        if options:
            choices = "".join(f'<option value="{escape(o)}">{escape(o)}</option>' for o in options)
            control = (
                f'<select id="{field_id}" data-question="{escape(label)}" data-needs-claim disabled>'
                f'<option value="">Choose…</option>{choices}</select>'
            )
        else:
            control = f'<input type="text" id="{field_id}" data-question="{escape(label)}" data-needs-claim disabled>'
        parts.append(f'<label for="{field_id}">{escape(label)}</label>{control}')
    return "".join(parts)


# What the operator does, by kind of request.
WHAT_TO_DO = {
    "captcha": "Solve the challenge in the picture on the left, as you would in your own browser.",
    "question": "Answer below; where the page needs more, work it in the picture on the left.",
    "email_not_found": "Find the code or link in the user's mail and enter it on the page, or below.",
}


def _detail_page(item: store.Intervention, trace_url: str | None) -> HTMLResponse:
    questions = _question_inputs(item.questions)
    answer_card = (
        f'<div class="card"><h2>Answer</h2><p class="muted">Saved to the user\'s answer bank where they allow it, '
        f"so the same question never needs a person twice.</p>{questions}</div>"
        if questions
        else ""
    )
    novnc = f'<dt>noVNC</dt><dd><a href="{escape(item.live_view_url)}">open</a></dd>' if item.live_view_url else ""
    trace = f'<dt>Trace</dt><dd><a href="{escape(trace_url)}">open</a></dd>' if trace_url else ""
    page_url = escape(item.page_url or "")
    kind = escape(item.kind.replace("_", " "))
    shot = (
        '<div class="card"><details><summary>The page when the task stopped</summary>'
        f'<img class="shot" src="/interventions/{item.intervention_id}/screenshot" '
        'alt="A screenshot of the task\'s page when it asked for help" loading="lazy"></details></div>'
        if item.screenshot_uri
        else ""
    )
    body = (
        f'<div id="intervention" data-id="{item.intervention_id}" data-live="{str(bool(item.cdp_url)).lower()}">'
        '<div id="notice" class="notice" hidden role="status"></div>'
        f'<div class="layout"><section><div class="screen"><span class="status" id="screen-status">connecting…</span>'
        '<canvas id="screen" width="1280" height="800" tabindex="0" aria-label="The task\'s browser"></canvas></div>'
        '<p class="muted">Click into the picture and work as in a browser: mouse, keyboard and scroll go to the '
        "task's own page.</p></section>"
        f'<aside><div class="card"><h2><span class="pill {escape(item.kind)}">{kind}</span> '
        f'{escape(item.reason)}</h2><p class="todo">{WHAT_TO_DO.get(item.kind, "")}</p>'
        f"<dl><dt>Platform</dt><dd>{escape(item.platform or '')}</dd>"
        f"<dt>Page</dt><dd>{page_url}</dd><dt>Task</dt><dd>{item.task_id}</dd>{novnc}{trace}"
        f'<dt>Time left</dt><dd><span class="countdown" id="time-left" data-deadline="{item.deadline_at.isoformat()}">'
        f'</span> <span class="muted">(until {item.deadline_at.strftime("%H:%M:%S")} UTC)</span></dd></dl></div>'
        f"{answer_card}{shot}"
        '<div class="card"><h2>Done?</h2><p class="muted">Press Resolved once the page shows it solved: the task '
        "goes on by itself from what the page shows.</p>"
        '<div class="buttons">'
        '<button class="primary" id="resolve" data-needs-claim disabled>Resolved: continue</button>'
        '<a class="plain" href="/">Back to the queue</a></div>'
        '<label for="why">Or end the task, saying why</label><input type="text" id="why" data-needs-claim disabled>'
        '<div class="buttons"><button class="danger" id="fail" data-needs-claim disabled>Fail the task</button></div>'
        '</div></aside></div></div><script src="/shared/screen.js"></script><script src="/static/live.js"></script>'
    )
    return _page(f"{item.kind} · {item.platform or ''}", body)


def _settings(svc: Service) -> TakeoverSettings:
    assert isinstance(svc.settings, TakeoverSettings)
    return svc.settings


def _signed_in(svc: Service, request: Request) -> bool:
    try:
        api.who(svc, request)
        return True
    except NotOperator:
        return False


async def login(request: Request) -> Response:
    if request.method == "GET":
        return _login_form()
    svc: Service = request.app.state.svc
    settings = _settings(svc)
    if settings.intake_url is None:
        return _login_form("sign-in is not configured (AUTOAPPLY_INTAKE_URL)")
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    try:
        token, _ = await sign_in(str(settings.intake_url), email, password, settings.secret_key.get_secret_value())
    except NotOperator as exc:
        return _login_form(str(exc))
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE_S, httponly=True, samesite="strict")
    return answer


async def logout(request: Request) -> Response:
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(COOKIE)
    return answer


async def home(request: Request) -> Response:
    return _queue_page() if _signed_in(request.app.state.svc, request) else RedirectResponse("/login", status_code=303)


# What an operator reads on a request that is no longer open, by how it closed.
CLOSED_AS = {
    "resolved": "This one was resolved; the task went on.",
    "failed": "An operator ended this task.",
    "timed_out": "This one timed out: nobody solved it in time, and the task failed.",
    "cancelled": "The user cancelled this task.",
    "superseded": "The task asked again since; the newer request is in the queue.",
}


def _gone(title: str, text: str) -> HTMLResponse:
    return _page(title, f'<div class="card empty">{escape(text)} <a href="/">Back to the queue</a></div>')


async def detail(request: Request) -> Response:
    svc: Service = request.app.state.svc
    if not _signed_in(svc, request):
        return RedirectResponse("/login", status_code=303)
    try:
        item = await store.get(svc.pool, api.parse_id(request.path_params["intervention_id"]))
    except api.NotFound:
        item = None
    if item is None or not item.for_operators:
        return _gone("Not found", "No such intervention.")
    if not item.open:
        return _gone("Closed", CLOSED_AS.get(item.outcome or "", f"This one is closed ({item.outcome})."))
    return _detail_page(item, api.trace_url(svc, item))


async def screenshot(request: Request) -> Response:
    """The screenshot the task took when it asked for help: to an operator, while the request is open,
    and only that task's own screenshot (no other file of the user's)."""
    svc: Service = request.app.state.svc
    try:
        me = api.who(svc, request)
        item = await store.get(svc.pool, api.parse_id(request.path_params["intervention_id"]))
    except NotOperator:
        return Response("sign in first", status_code=401)
    except api.NotFound:
        item = None
    own = f"{item.user_id}/tasks/{item.task_id}/screenshots/" if item else None
    if item is None or not item.open or not item.for_operators or not item.screenshot_uri or not own:
        return Response("no screenshot", status_code=404)
    if not item.screenshot_uri.startswith(own):
        return Response("no screenshot", status_code=404)
    try:
        data = await objects.LocalObjects(svc.settings.data_dir).get(item.screenshot_uri)
    except (OSError, ValueError):
        return Response("no screenshot", status_code=404)
    await store.audit(svc.pool, str(me.user_id), item.intervention_id, "view_screenshot")
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


ROUTES: list[BaseRoute] = [
    Route("/", home),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/interventions/{intervention_id}", detail),
    Route("/interventions/{intervention_id}/screenshot", screenshot),
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    screen.mount("/shared"),
]
