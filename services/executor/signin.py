"""Sign-in walls, checkpoints and daily limits: what the executor does about each barrier.

A wall on a platform with a stored account is passed by typing it (the password opened only for
that); without one, or when the stored one is refused, the user signs in once through the live
view (human.needed) and the task continues from the page after Resolved. The session then lives
in the profile's browser (its cookies in the provisioner's user-data-dir), so later tasks on the
platform meet no wall. A checkpoint or a two-step challenge only the user can pass pauses the
account (user.account_paused, until None) and waits for the user; a daily limit pauses it until
the platform's next day, and the task goes back to the provisioner, who holds it until then.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from contracts.envelope import Event
from contracts.states import TaskState
from contracts.tasks import TaskRetrying
from contracts.users import AccountPaused
from runtime import outbox
from runtime.sealing import Sealer
from services.executor import credentials, store, waits
from services.executor.barriers import Barrier, limit_text, limit_until, seen
from services.executor.context import Run

if TYPE_CHECKING:
    from services.executor.flow import Flow

log = logging.getLogger(__name__)
S = TaskState
# After the sign-in click the site redirects (LinkedIn: to the job or a checkpoint); give it this long.
SIGNED_IN_WAIT_MS = 15_000
USERNAME = (
    "#username, input[name=session_key], input[type=email], input[autocomplete=username], "
    "input[name*=user i], input[name*=email i], input[type=text]"
)
SUBMIT = "button[type=submit], input[type=submit], button:has-text('Sign in'), button:has-text('Log in')"
REASONS = {
    "wall": "sign-in required on {platform}: sign in once in the live browser, then press Resolved",
    "checkpoint": "{platform} asks for a security check (checkpoint): pass it in the live browser, then press Resolved",
    "two_step": "{platform} asks for two-step verification: enter the code in the live browser, then press Resolved",
    "refused": "{platform} refused the stored account: sign in in the live browser (and update the stored "
    "password), then press Resolved",
}


class Login:
    """A stored account; its password is opened (in memory, remembered by the scrubber) only when
    the typing asks for it."""

    def __init__(self, stored: credentials.Credential, sealer: Sealer) -> None:
        self.username, self._stored, self._sealer = stored.username, stored, sealer

    def __repr__(self) -> str:  # never the username or password, wherever a Login is printed
        return f"Login({self._stored!r})"

    def password(self) -> str:
        return self._stored.password(self._sealer)


async def stored_login(run: Run) -> Login | None:
    """The account the user stored for this platform (Workday's are the account step's, per tenant)."""
    if run.task.platform == "workday":
        return None
    found = await credentials.find(run.x.db, run.task.user_id, run.task.platform, None)
    return Login(found, run.x.credentials) if found is not None else None


async def _form_of(page: Page) -> tuple[Locator, Locator] | None:
    """The visible password field and the username field of its form."""
    password = page.locator("input[type=password]").filter(visible=True)
    if not await password.count():
        return None
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    scope = form.first if await form.count() else page.locator("body")
    username = scope.locator(USERNAME).filter(visible=True)
    return (username.first, password.first) if await username.count() else None


async def type_login(page: Page, login: Login) -> bool:
    """Types the account into the wall and sends it; False when the page has no sign-in form."""
    fields = await _form_of(page)
    if fields is None:
        return False
    username, password = fields
    try:
        await username.fill(login.username)
        await password.fill(login.password())
        form = page.locator("form").filter(has=page.locator("input[type=password]"))
        button = form.first.locator(SUBMIT).filter(visible=True) if await form.count() else page.locator(SUBMIT)
        async with page.expect_navigation(wait_until="domcontentloaded", timeout=SIGNED_IN_WAIT_MS):
            if await button.count():
                await button.first.click()
            else:
                await password.press("Enter")
    except PlaywrightError:
        log.warning("the sign-in form did not go through")  # never the values typed
        return False
    return True


async def pause(run: Run, reason: str, until: datetime | None, message: str, then: Event, state: TaskState) -> None:
    """user.account_paused and the task's own next event, in one transaction."""
    paused = AccountPaused(
        task_id=run.task.user_id,  # an account event: its subject ends with the user's id
        user_id=run.task.user_id,
        causation_id=run.cause.event_id,
        platform=run.task.platform,
        reason=reason,
        until=until,
        message=message[:300],
        source_task_id=run.task.task_id,
    )
    async with run.x.db.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, run.x.svc.schema, paused)
        await outbox.enqueue(conn, run.x.svc.schema, then)
        if state is S.RETRYING:
            await store.requeued(conn, run.task.task_id)
        else:
            await store.move(conn, run.task.task_id, state, reason)  # the checkpoint's kind is what it waits for
    run.state = state
    await run.delivery.in_progress()


async def wait_for_user(flow: Flow, barrier: Barrier, why: str | None = None) -> None:
    """The user (or an operator the user allowed) passes it in the live browser; Resolved continues."""
    run = flow.run
    if run.state not in (S.EXECUTING_RPA, S.EXECUTING_AGENT):
        await run.progress(S.EXECUTING_RPA, step="sign_in", detail=run.task.platform)
    reason = REASONS[why or barrier.kind].format(platform=run.task.platform)
    shot = await flow.shot(f"sign_in_{barrier.kind}")
    if barrier.kind in ("checkpoint", "two_step"):
        needed = waits.human_needed(run, reason, flow.page.url, (), shot, sign_in=barrier.kind)
        await pause(run, barrier.kind, None, reason, needed, S.NEED_HUMAN)
        return
    await waits.human(run, reason, flow.page.url, (), shot, waiting=waits.SIGNIN, sign_in="wall")


async def through(flow: Flow) -> bool:
    """True once the page is past every barrier (signing in with the stored account where there is
    one); False when the task now waits for the user."""
    barrier = await seen(flow.page, await flow.page_challenges())
    if barrier is None:
        return True
    login = await stored_login(flow.run) if barrier.kind == "wall" else None
    if login is None:
        await wait_for_user(flow, barrier)
        return False
    await flow.run.progress(S.EXECUTING_RPA, step="sign_in", detail=flow.run.task.platform)
    typed = await type_login(flow.page, login)
    await asyncio.sleep(0.3)  # a redirect chain (sign-in, then the job or a checkpoint) settles
    after = await seen(flow.page, await flow.page_challenges())
    if after is None:
        return True
    await wait_for_user(flow, after, "refused" if after.kind == "wall" and typed else None)
    return False


async def daily_limit(flow: Flow) -> None:
    """The account is paused until the platform's next day; the task goes back to the provisioner,
    which starts it again then (task.retrying; its browser is stopped meanwhile)."""
    run = flow.run
    now = datetime.now(UTC)
    said = await limit_text(flow.page) or "the platform's daily application limit is reached"
    until = limit_until(said, now)
    await flow.shot("daily_limit")
    message = f"{run.task.platform}: {said} Paused until {until.strftime('%Y-%m-%dT%H:%M:%SZ')}."
    delay = max(0.0, (until - now).total_seconds())
    again = TaskRetrying(**run.ids, stage="provisioning", attempt=1, delay_s=delay, reason=message)
    await pause(run, "daily_limit", until, said, again, S.RETRYING)


async def passed(flow: Flow, kind: str) -> None:
    """A checkpoint the user passed ends the account's pause (an until at the moment it ended)."""
    run = flow.run
    ended = AccountPaused(
        task_id=run.task.user_id,
        user_id=run.task.user_id,
        causation_id=run.cause.event_id,
        platform=run.task.platform,
        reason=kind,
        until=datetime.now(UTC),
        message="passed",
        source_task_id=run.task.task_id,
    )
    async with run.x.db.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, run.x.svc.schema, ended)
