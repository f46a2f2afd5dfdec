"""The CAPTCHA frame served inside the platforms' pages, its tile images and its answer check."""

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.captcha import TILE_PX, TILES
from sandbox.html import esc, page
from sandbox.state import sbx


async def frame(request: Request) -> Response:
    challenge = sbx(request).captcha.new()
    tiles = "".join(
        f'<button type="button" class="captcha-tile" aria-pressed="false" aria-label="Image {n + 1}" data-n="{n}">'
        f'<img src="/_captcha/tile/{esc(challenge.id)}/{n}.png" alt="" width="{TILE_PX}" height="{TILE_PX}"></button>'
        for n in range(TILES)
    )
    retry = request.query_params.get("retry") == "1"
    error = '<p class="captcha-error" role="alert">Please try again.</p>' if retry else ""
    body = (
        '<div class="captcha-box" id="captcha-box">'
        f'<div class="captcha-header">Select all images with a <strong>{esc(challenge.target)}</strong>'
        "<span>Click verify once there are none left.</span></div>"
        f'<div class="captcha-grid" role="group" aria-label="Challenge images">{tiles}</div>{error}'
        '<div class="captcha-footer"><button type="button" id="captcha-reload" aria-label="Get a new challenge">'
        '&#8635;</button><button type="button" id="captcha-verify">Verify</button></div>'
        f'<input type="hidden" id="captcha-challenge" value="{esc(challenge.id)}"></div>'
        '<div class="captcha-done" id="captcha-done" hidden><span class="captcha-check">&#10003;</span> Verified</div>'
    )
    return HTMLResponse(
        page("captcha", body, css=("captcha.css",), js=("captcha-frame.js",)), headers={"Cache-Control": "no-store"}
    )


async def tile(request: Request) -> Response:
    png = sbx(request).captcha.tile(request.path_params["cid"], int(request.path_params["n"]))
    if png is None:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


async def verify(request: Request) -> Response:
    body = await request.json()
    picks = [int(p) for p in body.get("picks", []) if str(p).isdigit()]
    token = sbx(request).captcha.check(str(body.get("challenge", "")), picks)
    return JSONResponse({"success": token is not None, "token": token})


def routes() -> list[Route]:
    return [
        Route("/_captcha/frame", frame),
        Route("/_captcha/tile/{cid}/{n:int}.png", tile),
        Route("/_captcha/verify", verify, methods=["POST"]),
    ]
