"""One delivery's work on one task: the claims, the applicant, the browser, then the flow.

Two executors never work one task at once, and two tasks never drive one browser at once: both
claims are PostgreSQL advisory locks (attempts.py); a delivery that does not get one naks with a
delay. The browser is the provisioner's: attached over CDP, never launched, and left running when
the delivery ends (a wait keeps its tab open). An account's tasks share its browser, each in its
own tab; the browser's claim is held only while a task drives it, so a task waiting for a person
lends the browser to the account's next task.
"""

import logging

from contracts.envelope import Event
from contracts.human import HumanResolved
from contracts.mail import EmailVerified
from contracts.profiles import ProfileReady
from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskApproved, TaskFailed
from runtime.errors import TransientError
from services.executor import applicant, attempts, store, submitting, waits
from services.executor.browser import BrowserGone
from services.executor.context import Executor, Run
from services.executor.flow import CONTINUES, STARTING, Flow
from services.executor.navigation import WrongExitIp

log = logging.getLogger(__name__)
S = TaskState
# Another instance holds the task: come back after this long (it may be waiting on a slow page).
CLAIMED_ELSEWHERE_S = 3.0
# Another task of the account drives the browser: ask again for this long, then come back after
# BROWSER_BUSY_S (a delivery; the flow consumers' budget covers the longest other drive).
DRIVE_WAIT_S = 20.0
BROWSER_BUSY_S = 2.0
# The executor's own states: a resuming event that sends the task elsewhere is not the executor's.
RESUMES_INTO = frozenset({S.EXECUTING_RPA, S.EXECUTING_AGENT, S.SUBMITTING})


async def ready(x: Executor, event: ProfileReady, delivery: object) -> None:
    if not await store.save_browser(x.db, event):
        raise TransientError("task.queued has not reached the executor yet", delay_s=1.0)
    await _work(x, event, delivery)


async def resumed(x: Executor, event: Event, delivery: object) -> None:
    state = getattr(event, "resume_state", None)
    if not isinstance(state, TaskState) or state not in RESUMES_INTO:
        return  # the operator submitted by hand, or the task goes to the verifier: nothing to do here
    answers: dict[str, str] = {}
    provenance = "operator"
    if isinstance(event, HumanResolved):
        answers = dict(event.answers)
        if event.operator_id.startswith("user:"):  # the user answered their own question (intake's page)
            provenance = "user"
    elif isinstance(event, TaskApproved):
        answers, provenance = dict(event.corrections), "user"
    task = await store.get(x.db, event.task_id)
    if task is None or task.finished or task.waiting not in CONTINUES.get(type(event), frozenset()):
        return  # late or a duplicate: the task is not waiting for this
    await store.resumed(x.db, event.task_id, state, answers, provenance)
    await _work(x, event, delivery)


async def _work(x: Executor, cause: Event, delivery: object) -> None:
    async with attempts.held_task(x.db, cause.task_id) as conn:
        if conn is None:
            raise TransientError("another executor instance works this task", delay_s=CLAIMED_ELSEWHERE_S)
        task = await store.get(x.db, cause.task_id)
        if task is None or task.finished or task.cdp_url is None:
            return
        if isinstance(cause, ProfileReady) and task.waiting is not None:
            return  # a redelivery after the wait was asked: the resuming event continues it
        async with attempts.drive(conn, task.profile_id or task.cdp_url, DRIVE_WAIT_S) as driving:
            if not driving:
                raise TransientError("another task of the account drives its browser", delay_s=BROWSER_BUSY_S)
            await _run(Run(x, task, cause, delivery), cause)  # type: ignore[arg-type]


async def _run(run: Run, cause: Event) -> None:
    if await _recovering(run, cause):
        await submitting.recovered(run)
        return
    try:
        await _drive(run, cause)
    except applicant.NoProfile as exc:
        await _fail(run, FailureReason.INTERNAL, str(exc))
    except WrongExitIp as exc:
        await _fail(run, FailureReason.INTERNAL, str(exc))
    except BrowserGone as exc:
        log.warning("task %s: %s", run.task.task_id, exc)
        await _fail(run, FailureReason.INTERNAL, "the task's browser is gone")


async def _recovering(run: Run, cause: Event) -> bool:
    """An attempt without its outcome: the click may have happened; it is never made again."""
    found = await attempts.find(run.x.db, run.task.task_id)
    if found is None:
        return False
    return not after_submit(run, cause)


def after_submit(run: Run, cause: Event) -> bool:
    """Help for the click itself (a code it emailed, a CAPTCHA it raised): the page says how it went."""
    if isinstance(cause, EmailVerified):
        return run.task.waiting == waits.EMAIL_AFTER_SUBMIT
    return isinstance(cause, HumanResolved) and run.task.waiting == waits.CAPTCHA and run.state is S.SUBMITTING


async def _drive(run: Run, cause: Event) -> None:
    assert run.task.cdp_url is not None
    async with (
        applicant.load(run.x.objects, run.task) as who,
        run.x.driver.attach(run.task.cdp_url, run.task.target_id) as attached,
    ):
        flow = Flow(run, attached, who)
        if isinstance(cause, ProfileReady) and run.state in STARTING:
            await flow.start()
        elif isinstance(cause, ProfileReady):
            await flow.continue_here()
        else:
            await flow.resume(cause)


async def _fail(run: Run, reason: FailureReason, message: str) -> None:
    await run.emit(TaskFailed(**run.ids, reason=reason, message=message), S.FAILED, finished=True)
