"""What a platform puts between an account and the job, read from real pages in Chromium (the
sandbox's sign-in, checkpoint and daily-limit pages, saved as the browser shows them), and when a
daily limit ends."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Route

from forms.outcomes import challenges
from services.executor.barriers import limit_text, limit_until, seen

SIGN_IN = (
    '<form class="login__form" method="post"><label for="username">Email or phone</label>'
    '<input id="username" type="text"><label for="password">Password</label>'
    '<input id="password" type="password"><button type="submit">Sign in</button></form>'
)
CHECKPOINT = "<h1>Let\u2019s do a quick security check</h1><label><input type=checkbox> I\u2019m not a robot</label>"
TWO_STEP = "<h1>Two-step verification</h1><p>Enter the 6-digit code we sent to your phone.</p><input>"
LIMIT = (
    "<h1>Data Engineer</h1><div class=note>You\u2019ve reached the Easy Apply application limit for today. "
    "Save this job and come back tomorrow to continue applying.</div>"
)


@pytest.mark.unit
def test_a_daily_limit_ends_at_the_platforms_next_day_unless_the_page_names_a_time() -> None:
    now = datetime(2026, 12, 1, 22, 15, tzinfo=UTC)
    assert limit_until("come back tomorrow", now) == datetime(2026, 12, 2, tzinfo=UTC)
    assert limit_until("You can try again in 5 hours.", now) == datetime(2026, 12, 2, 3, 15, tzinfo=UTC)


PAGES = [
    ("/linkedin/login", SIGN_IN, "wall"),
    ("/greenhouse/login", SIGN_IN, "wall"),
    ("/linkedin/checkpoint/challenge/AQx1", CHECKPOINT, "checkpoint"),
    ("/linkedin/checkpoint/challenge/AQx2", TWO_STEP, "two_step"),
    ("/linkedin/jobs/view/1/", LIMIT, None),
]


@pytest.mark.integration
async def test_each_barrier_is_told_from_the_page(chromium_browser: Browser) -> None:
    page = await chromium_browser.new_page()
    for path, html, kind in PAGES:
        await page.route("**/*", _serving(html))
        await page.goto(f"http://127.0.0.1:9{path}")
        found = await seen(page, await challenges(page))
        assert (found.kind if found else None) == kind, path
        await page.unroute("**/*")
    assert (await limit_text(page)).startswith("You\u2019ve reached the Easy Apply application limit")
    assert (await limit_text(page)).endswith("for today.")


def _serving(html: str) -> Callable[[Route], Awaitable[None]]:
    async def serve(route: Route) -> None:
        await route.fulfill(body=html, content_type="text/html; charset=utf-8")

    return serve
