"""The job seeker's page on a real intake: sign-up by form, the cookie session, CSRF on writes,
401s sent to sign-in, the refresh on the way, and no page or file that reaches outside."""

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.typing import Origin

from runtime.tokens import Principal, access_token
from services.intake import cookies
from tests.intake.client import PASSWORD, Intake

pytestmark = pytest.mark.integration
STATIC = Path(__file__).resolve().parents[2] / "services" / "intake" / "static"
VIEWS = ("/app", "/app/profile", "/app/accounts", "/app/notifications", f"/app/tasks/{uuid.uuid4()}")


class Controls(HTMLParser):
    """Every form control, every label's target, and every address the page would load."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        for key in ("src", "href", "action"):
            if a.get(key):
                self.loads.append(str(a[key]))


async def signed_up(http: httpx.AsyncClient) -> tuple[str, str]:
    """A made-up person signed up through the page's form; returns (email, csrf token of the page)."""
    email = f"page-{uuid.uuid4().hex[:10]}@example.org"
    form = {"name": "Ada Example", "email": email, "password": PASSWORD}
    made = await http.post("/app/signup", data=form)
    assert made.status_code == 303 and made.headers["location"] == "/app/profile?welcome=1", made.text
    set_cookies = made.headers.get_list("set-cookie")
    assert all("httponly" in c.lower() and "samesite=lax" in c.lower() for c in set_cookies), set_cookies
    page = await http.get("/app")
    assert page.status_code == 200
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page.text)
    assert found, page.text[:500]
    return email, found.group(1)


async def test_sign_up_by_form_then_every_view_renders_with_labels_and_nothing_from_outside(
    http: httpx.AsyncClient,
) -> None:
    await signed_up(http)
    for path in VIEWS:
        page = await http.get(path)
        assert page.status_code == 200, path
        assert (
            "no-store" in page.headers["cache-control"]
            and "default-src 'self'" in page.headers["content-security-policy"]
        )
        parsed = Controls()
        parsed.feed(page.text)
        unlabelled = [c for c in parsed.controls if c.get("id") not in parsed.labelled and not c.get("aria-label")]
        assert unlabelled == [], (path, unlabelled)
        outside = [u for u in parsed.loads if not u.startswith(("/", "#"))]
        assert outside == [], (path, outside)
        for src in re.findall(r'src="([^"]+)"', page.text) + re.findall(r'href="(/app/static/[^"]+)"', page.text):
            assert (await http.get(src)).status_code == 200, src


def test_no_static_file_names_an_address_outside_the_page() -> None:
    files = sorted(STATIC.iterdir())
    assert {f.suffix for f in files} == {".css", ".js"} and len(files) >= 6
    for file in files:
        text = file.read_text()
        assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]", text, re.I), file.name
        assert "@import" not in text and "innerHTML" not in text, file.name  # data never parsed as HTML


async def test_a_view_without_a_session_goes_to_sign_in_and_comes_back(http: httpx.AsyncClient) -> None:
    task_path = f"/app/tasks/{uuid.uuid4()}"
    for path in ("/app", task_path):
        answer = await http.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/app/signin?next=")
    assert (await http.get("/")).headers["location"] == "/app"
    email, _ = await signed_up(http)
    http.cookies.clear()
    back = await http.post(
        "/app/signin", data={"email": email, "password": PASSWORD, "next": f"{task_path}?open=question"}
    )
    assert back.status_code == 303 and back.headers["location"] == f"{task_path}?open=question"
    http.cookies.clear()
    elsewhere = await http.post("/app/signin", data={"email": email, "password": PASSWORD, "next": "https://x.example"})
    assert elsewhere.headers["location"] == "/app"  # never to another site
    http.cookies.clear()
    wrong = await http.post("/app/signin", data={"email": email, "password": "not the password"})
    assert (
        wrong.status_code == 401
        and "Wrong e-mail or password" in wrong.text
        and "autoapply_access" not in str(wrong.headers.get_list("set-cookie"))
    )


async def test_a_write_with_the_cookie_needs_the_csrf_token_and_a_bearer_token_does_not(
    http: httpx.AsyncClient,
) -> None:
    _, csrf = await signed_up(http)
    settings = {"mail": "daily", "digest_hour": 7}
    bare = await http.put("/api/v1/notifications/settings", json=settings)
    assert bare.status_code == 403 and "X-CSRF-Token" in bare.json()["message"]
    forged = await http.put("/api/v1/notifications/settings", json=settings, headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    done = await http.put("/api/v1/notifications/settings", json=settings, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200
    assert (await http.get("/api/v1/notifications/settings")).json()["mail"] == "daily"  # a read needs no token
    login = (
        await http.post(
            "/api/v1/auth/login", json={"email": (await http.get("/api/v1/me")).json()["email"], "password": PASSWORD}
        )
    ).json()
    async with httpx.AsyncClient(base_url=str(http.base_url)) as api:
        bearer = {"Authorization": f"Bearer {login['access_token']}"}
        assert (await api.put("/api/v1/notifications/settings", json=settings, headers=bearer)).status_code == 200


async def test_an_expired_access_cookie_is_refreshed_on_the_way_and_sign_out_ends_the_session(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    _, csrf = await signed_up(http)
    me = (await http.get("/api/v1/me")).json()
    secret = intake.child.env["AUTOAPPLY_SECRET_KEY"]
    # An access token that expired a minute ago, beside the live refresh cookie.
    stale = access_token(Principal(uuid.UUID(me["user_id"]), "user", uuid.uuid4()), secret, ttl_s=-60)
    http.cookies.set(cookies.ACCESS_COOKIE, stale, domain="127.0.0.1", path="/")  # replaces the live one
    assert (await http.get("/api/v1/me")).status_code == 401
    page = await http.get("/app/profile")
    assert page.status_code == 200 and cookies.ACCESS_COOKIE in str(page.headers.get_list("set-cookie"))
    assert (await http.get("/api/v1/me")).status_code == 200
    new_csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert new_csrf and new_csrf.group(1) == csrf  # one session, one token, refresh or not
    out = await http.post("/app/signout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/app/signin"
    assert (await http.get("/app")).status_code == 303


async def test_a_socket_on_the_cookie_opens_only_from_the_pages_own_origin(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    await signed_up(http)
    cookie = f"{cookies.ACCESS_COOKIE}={http.cookies[cookies.ACCESS_COOKIE]}"
    url = intake.url.replace("http://", "ws://") + "/api/v1/ws"
    host = intake.url.removeprefix("http://")
    headers = {"Cookie": cookie}
    async with websockets.connect(url, additional_headers=headers, origin=Origin(f"http://{host}")) as ws:
        assert ws.protocol.state.name == "OPEN"
    async with websockets.connect(url, additional_headers=headers, origin=Origin("http://evil.example")) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_answering_a_task_that_waits_for_nothing_is_refused_with_the_reason(http: httpx.AsyncClient) -> None:
    _, csrf = await signed_up(http)
    headers = {"X-CSRF-Token": csrf}
    missing = await http.post(f"/api/v1/tasks/{uuid.uuid4()}/answer", json={"answers": {"Q": "A"}}, headers=headers)
    assert missing.status_code == 404
    empty = await http.post(f"/api/v1/tasks/{uuid.uuid4()}/answer", json={"answers": {}}, headers=headers)
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "answers"
    listed = (await http.get("/api/v1/notifications")).json()
    assert listed == {"notifications": [], "unread": 0}
