"""Atrium Labs: a company site whose application is behind an unfamiliar path (no "Apply" anywhere).

The job page says "Start your journey"; that leads to a "Before you begin" page whose way on is
"Continue to your details"; only then comes the form, sent with "Send application". No ATS, no
template, no word the form engine's Apply buttons know: the site an agent has to find its way
through once (and that is replayed from memory afterwards).
"""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.html import esc, page
from sandbox.records import ReceivedFile, Submission, confirmation_id
from sandbox.state import sbx
from sandbox.uploads import read_form

SITE = "atrium"
COMPANY = "Atrium Labs"


@dataclass(frozen=True)
class Role:
    slug: str
    title: str
    team: str


ROLES = (
    Role("platform-engineer", "Platform Engineer", "Infrastructure"),
    Role("product-designer", "Product Designer", "Design"),
    Role("data-analyst", "Data Analyst", "Insights"),
)
BY_SLUG = {r.slug: r for r in ROLES}
REQUIRED = {"given": "Tell us your first name", "family": "Tell us your last name", "mail": "Tell us your email"}


def _shell(title: str, inner: str) -> HTMLResponse:
    nav = '<nav><a href="/atrium/">Home</a> <a href="/atrium/life">Life at Atrium</a></nav>'
    body = f'<header class="site-header"><strong>{COMPANY}</strong>{nav}</header><main>{inner}</main>'
    return HTMLResponse(page(f"{title} | {COMPANY}", body))


def _role(request: Request) -> Role | None:
    return BY_SLUG.get(request.path_params["slug"])


async def home(request: Request) -> Response:
    rows = "".join(f'<li><a href="/atrium/roles/{r.slug}">{esc(r.title)}</a> ({esc(r.team)})</li>' for r in ROLES)
    return _shell("Careers", f"<h1>Work with us</h1><ul>{rows}</ul>")


async def life(request: Request) -> Response:
    return _shell("Life at Atrium", "<h1>Life at Atrium</h1><p>Four-day weeks, a library, and a very old cat.</p>")


async def role_page(request: Request) -> Response:
    role = _role(request)
    if role is None:
        return _shell("Not found", "<h1>That role does not exist</h1>")
    inner = (
        f"<h1>{esc(role.title)}</h1><p>Team: {esc(role.team)}</p>"
        "<p>We build calm software for busy clinics. You will own real problems from the first week.</p>"
        '<p><a href="/atrium/life">Read about life at Atrium</a></p>'
        f'<p><a class="cta" href="/atrium/roles/{role.slug}/intro">Start your journey</a></p>'
    )
    return _shell(role.title, inner)


async def intro(request: Request) -> Response:
    role = _role(request)
    if role is None:
        return _shell("Not found", "<h1>That role does not exist</h1>")
    inner = (
        "<h1>Before you begin</h1><p>It takes about five minutes. Have your CV ready as a PDF.</p>"
        f'<form method="get" action="/atrium/roles/{role.slug}/details">'
        '<button type="submit">Continue to your details</button></form>'
        f'<p><a href="/atrium/roles/{role.slug}">Back to the role</a></p>'
    )
    return _shell("Before you begin", inner)


def _form(role: Role, errors: dict[str, str]) -> str:
    shown = "".join(f"<li>{esc(m)}</li>" for m in errors.values())
    box = f'<div role="alert"><ul>{shown}</ul></div>' if errors else ""
    return (
        f"<h1>Your details: {esc(role.title)}</h1>{box}"
        f'<form method="post" action="/atrium/roles/{role.slug}/details" enctype="multipart/form-data">'
        '<p><label for="given">First name *</label><input id="given" name="given" type="text"></p>'
        '<p><label for="family">Last name *</label><input id="family" name="family" type="text"></p>'
        '<p><label for="mail">Email *</label><input id="mail" name="mail" type="email"></p>'
        '<p><label for="cv">CV (PDF) *</label><input id="cv" name="cv" type="file" accept=".pdf"></p>'
        '<p><label for="drawn">What draws you to Atrium?</label><textarea id="drawn" name="drawn"></textarea></p>'
        '<button type="submit">Send application</button></form>'
    )


async def details(request: Request) -> Response:
    role = _role(request)
    if role is None:
        return _shell("Not found", "<h1>That role does not exist</h1>")
    return _shell("Your details", _form(role, {}))


async def send(request: Request) -> Response:
    role = _role(request)
    if role is None:
        return _shell("Not found", "<h1>That role does not exist</h1>")
    received = await read_form(request)
    errors = {name: message for name, message in REQUIRED.items() if not received.text(name)}
    cv: ReceivedFile | None = received.file("cv")
    if cv is None:
        errors["cv"] = "Attach your CV"
    if errors:
        return HTMLResponse(page(f"Your details | {COMPANY}", _form(role, errors)), 400)
    state = sbx(request)
    for data in received.blobs.values():
        state.records.keep_upload(data)
    submission = Submission(
        confirmation_id(SITE),
        SITE,
        role.slug,
        COMPANY,
        received.text("mail").strip().lower(),
        dict(received.fields),
        list(received.files),
    )
    state.records.add(submission)
    return RedirectResponse(f"/atrium/roles/{role.slug}/done?ref={submission.confirmation_id}", status_code=303)


async def done(request: Request) -> Response:
    ref = esc(request.query_params.get("ref", ""))
    inner = f'<div class="confirmation"><h1>Application received</h1><p>Your reference is {ref}.</p></div>'
    return _shell("Application received", inner)


def routes() -> list[Route]:
    return [
        Route("/atrium/", home),
        Route("/atrium/life", life),
        Route("/atrium/roles/{slug}", role_page),
        Route("/atrium/roles/{slug}/intro", intro),
        Route("/atrium/roles/{slug}/details", details),
        Route("/atrium/roles/{slug}/details", send, methods=["POST"]),
        Route("/atrium/roles/{slug}/done", done),
    ]
