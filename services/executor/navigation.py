"""Getting to the job page: the exit-IP check first, then navigation with 3 tries at 5/15/45 s.

A failed try says task.retrying and naks the delivery with that delay; the redelivery tries again.
After the last one the task fails with max_retries_exceeded.
"""

from contracts.states import FailureReason, TaskState
from contracts.tasks import TaskFailed, TaskRetrying
from runtime import outbox, telemetry
from runtime.errors import TransientError
from services.executor import browser, store
from services.executor.browser import Attached, NavigationFailed
from services.executor.context import Run


class WrongExitIp(Exception):
    """The browser goes out through another address than its binding's: nothing is sent through it."""


async def check_exit_ip(run: Run, attached: Attached) -> None:
    expected = run.task.exit_ip
    if not expected:
        return  # no proxy on the binding: the provider's own address is the one the sites see
    with telemetry.step("check exit ip"):
        seen = await browser.exit_ip(attached.context, run.x.settings.ip_check_url)
    if expected not in seen:
        raise WrongExitIp("the browser's exit IP differs from its binding's")


async def go(run: Run, attached: Attached) -> bool:
    """True once the job page is open; False when the task failed (tries spent); raises to retry."""
    try:
        with telemetry.step("navigate", platform=run.task.platform):
            await browser.navigate(attached.page, run.task.job_url, run.x.settings.navigation_timeout_s)
        return True
    except NavigationFailed as exc:
        why = str(exc)
    delays = run.x.settings.navigation_retry_delays_s
    async with run.x.db.acquire() as conn, conn.transaction():
        failures = await store.navigation_failed(conn, run.task.task_id)
        if failures > len(delays):
            failed = TaskFailed(**run.ids, reason=FailureReason.MAX_RETRIES, message=f"navigation: {why}")
            await outbox.enqueue(conn, run.x.svc.schema, failed)
            await store.move(conn, run.task.task_id, TaskState.FAILED, finished=True)
            return False
        delay = delays[failures - 1]
        retrying = TaskRetrying(**run.ids, stage="navigation", attempt=failures, delay_s=delay, reason=why)
        await outbox.enqueue(conn, run.x.svc.schema, retrying)
        await store.move(conn, run.task.task_id, TaskState.RETRYING)
    raise TransientError(f"navigation failed, retrying in {delay:.0f} s: {why}", delay_s=delay)
