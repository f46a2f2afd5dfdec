"""The one HTTP app: a root index, every platform under its own path prefix, the CAPTCHA, the admin API."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Lifespan

from sandbox import admin, captcha_pages, invisible, signin
from sandbox.html import esc, page
from sandbox.jobs import SITES
from sandbox.sessions import SessionMiddleware
from sandbox.sites import ashby, atrium, careers, careers_more, greenhouse, greenhouse_embed, lever, linkedin, workday
from sandbox.state import SandboxState, sbx

STATIC_DIR = Path(__file__).parent / "static"
SITE_NAMES = {
    "greenhouse": ("Greenhouse", "/greenhouse/"),
    "lever": ("Lever", "/lever/"),
    "ashby": ("Ashby", "/ashby/"),
    "workday": ("Workday", "/workday/"),
    "linkedin": ("LinkedIn Easy Apply", "/linkedin/jobs/"),
    "careers": ("Company careers page", "/careers/"),
}


async def root(request: Request) -> Response:
    catalog = sbx(request).catalog
    items = "".join(
        f'<li><a href="{path}">{esc(name)}</a> <span class="count">{len(catalog.site(site))} jobs</span></li>'
        for site in SITES
        for name, path in [SITE_NAMES[site]]
    )
    admin_links = "".join(
        f'<li><a href="{p}">{p}</a></li>' for p in ("/_admin/jobs", "/_admin/submissions", "/_admin/mailbox")
    )
    body = (
        f'<main class="sandbox-index"><h1>Sandbox job sites</h1><ul class="site-list">{items}</ul>'
        f"<h2>Admin</h2><ul>{admin_links}</ul></main>"
    )
    return HTMLResponse(page("Sandbox job sites", body))


def all_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route("/", root), *admin.routes(), *captcha_pages.routes(), *invisible.routes()]
    routes.extend(signin.routes())
    for module in (greenhouse_embed, greenhouse, lever, ashby, workday, linkedin, careers, careers_more, atrium):
        routes.extend(module.routes())
    routes.append(Mount("/_static", StaticFiles(directory=STATIC_DIR), name="static"))
    return routes


def build_app(state: SandboxState, lifespan: Lifespan[Starlette] | None = None) -> Starlette:
    app = Starlette(routes=all_routes(), middleware=[Middleware(SessionMiddleware)], lifespan=lifespan)
    app.state.sbx = state
    return app
