"""One task's application, from the browser the provisioner started to application.submitted.

profile.ready: navigate, analyse (a template whose URL and markers match, else the form engine
alone), fill, then submit once, or stop at a wait (an event, then ack with the browser open).
human.resolved, email.verified, task.approved: re-attach and continue from what the page shows.
"""

import asyncio
from dataclasses import replace
from urllib.parse import urlsplit

from contracts.envelope import Event
from contracts.human import HumanResolved
from contracts.mail import EmailVerified
from contracts.states import EXECUTING, FailureReason, TaskState
from contracts.tasks import TaskApproved, TaskFailed
from forms.fill import FormReport
from forms.outcomes import challenges
from forms.records import Challenge
from runtime import telemetry
from runtime.errors import TransientError
from services.executor import (
    accounts,
    agent,
    browser,
    detect,
    memory,
    navigation,
    questions,
    receipt,
    signin,
    steps,
    submitting,
    unknown,
    waits,
)
from services.executor.applicant import Applicant
from services.executor.browser import Attached
from services.executor.context import Run
from services.executor.halts import Halt, from_challenges
from services.executor.templates import Step, Template

S = TaskState
STEP_SHOT = "step-"  # a template step's screenshot: shared with the last one where the page did not change
# States a profile.ready finds a task in when it starts (or a redelivery restarts) the journey.
STARTING = frozenset({S.READY, S.RETRYING, S.NAVIGATING})
# Waits a resuming event continues; any other resuming event is late or a duplicate.
CONTINUES: dict[type[Event], frozenset[str]] = {
    HumanResolved: frozenset({waits.CAPTCHA, waits.HUMAN, *waits.BARRIERS}),
    EmailVerified: frozenset({waits.EMAIL, waits.EMAIL_AFTER_SUBMIT}),
    TaskApproved: frozenset({waits.REVIEW}),
}


class Flow:
    def __init__(self, run: Run, attached: Attached, who: Applicant) -> None:
        self.run, self.page, self.who = run, attached.page, who
        self.attached = attached
        self.template: Template | None = None
        self.reached = ""  # how the form was reached where no template knew the page (unknown.py)
        self.last_look: int | None = None  # the page's look at the last screenshot (receipt.look)
        self.opened_link = False  # an emailed account link was opened in this delivery (accounts.py)
        self.agent = agent.for_task(run.x.settings, run.x.model_client, who.profile, run.task.llm_usage)
        run.meter = self.agent.model.meter if self.agent.model else None

    async def prepare(self) -> None:
        """The user's answers that earlier applications to this site confirmed join the profile."""
        task = self.run.task
        profile = await memory.with_site_answers(self.run.x.db, task.user_id, task.job_url, self.who.profile)
        self.who = replace(self.who, profile=profile)
        self.agent.profile = profile
        self.agent.declined |= await memory.declined_on(self.run.x.db, task.user_id, task.job_url)

    async def start(self) -> None:
        """From a fresh browser: the exit IP, the job page, the analysis, the filling."""
        run = self.run
        await self.prepare()
        if run.state is not S.NAVIGATING:
            await run.progress(S.NAVIGATING, step="navigate")
            await navigation.check_exit_ip(run, self.attached)
        if not await navigation.go(run, self.attached):
            return
        # The page's picture and the step's event, side by side: neither waits on the other.
        await asyncio.gather(self.shot("job_page"), run.progress(S.ANALYZING, step="analyze"))
        if await signin.through(self):
            await self.analyse()

    async def analyse(self) -> None:
        """Past any sign-in: a closed job or an earlier application ends it; then fill."""
        early = from_challenges(await self.page_challenges())
        if early is not None and early.kind == "failed":  # closed, applied already
            await self.halt(early)
            return
        await self._fill()

    async def _fill(self) -> None:
        """The page's template (or the engine alone), then the conclusion."""
        run = self.run
        with telemetry.step("analyze", platform=run.task.platform) as span:
            self.template = await detect.template(self.page, run.x.templates)
            span.set_attribute("autoapply.template", self.template.platform if self.template else "none")
        if self.template is None:
            await run.progress(S.EXECUTING_AGENT, step="form_engine", step_number=1, total_steps=1)
            where = unknown.Where(self.page, run.x.db, run.task.cdp_url, run.x.settings)
            self.reached = await unknown.reach_form(where, self.agent)
            if not self.reached and self.agent.stopped:
                # No form in sight and the agent gave up on finding one: whatever the page shows now (a
                # step on the way, with its own Continue button) is no form to fill and send.
                await self.halt(
                    Halt("human", f"no application form was reached; the agent stopped: {self.agent.stopped}")
                )
                return
            if self.reached == "agent":
                await run.progress(S.EXECUTING_AGENT, step="agent", detail="the agent found the application form")
            await self.conclude(await self._engine())
            return
        await run.progress(S.EXECUTING_RPA, step="template", detail=self.template.platform)
        result = await steps.run(self.page, self.template, self.who.profile, self.agent, self._step, self._account)
        await self.conclude(result)

    async def _account(self, step: Step) -> Halt | None:
        return await accounts.run(self, step)

    async def _after_link(self) -> None:
        """The emailed link is open (an account verified): back to the job, as a person would, and
        through its template again; the account step now signs in."""
        self.opened_link = True
        try:
            await browser.navigate(self.page, self.run.task.job_url, self.run.x.settings.navigation_timeout_s)
        except browser.NavigationFailed as exc:
            raise TransientError(f"back to the job after the emailed link: {exc}", delay_s=5.0) from None
        await self._fill()

    async def _after_code(self, code: str) -> None:
        """The account's mailed code (a tenant that sends one instead of a link): typed and sent, then
        on to the job as after a link."""
        await self.run.progress(self.run.state, step="account", detail="email_code")
        halt = await accounts.enter_code(self, code)
        if halt is not None:
            await self.halt(halt)
            return
        await self._after_link()

    async def resume(self, cause: Event) -> None:
        """Help arrived: continue from what the page shows now."""
        await self.prepare()
        # A person looked at the form and let it go on: a budget stop does not hold it for them again.
        self.agent.person_saw = isinstance(cause, (HumanResolved, TaskApproved))
        if self.run.task.waiting in waits.BARRIERS:
            await self.after_barrier(self.run.task.waiting)
            return
        if isinstance(cause, EmailVerified) and cause.kind == "code" and await accounts.on_code_page(self):
            await self._after_code(cause.value)
            return
        if isinstance(cause, EmailVerified):
            await submitting.use_email(self.page, cause)
            if self.run.task.waiting == waits.EMAIL_AFTER_SUBMIT:
                await submitting.after_code(self, await submitting.confirm(self.page, self.run.task.platform))
                return
        if isinstance(cause, HumanResolved) and self._captcha_at_submit():
            # The CAPTCHA came with the click; solving it sends the form on (or not): never click again.
            await submitting.after_code(self, await submitting.read_outcome(self.page, self.run.task.platform))
            return
        if self.run.state in EXECUTING:
            await self.run.progress(self.run.state, step="continue", detail=type(cause).__name__)
        if isinstance(cause, EmailVerified) and cause.kind == "link":
            await self._after_link()
            return
        report = await self._engine()
        if isinstance(cause, TaskApproved) and report.status == "ready":
            await submitting.submit(self, report, cause.corrections)  # the user's corrections go over the fill
            return
        await self.conclude(report, approved=isinstance(cause, TaskApproved))

    def _captcha_at_submit(self) -> bool:
        return self.run.task.waiting == waits.CAPTCHA and self.run.state is S.SUBMITTING

    async def continue_here(self) -> None:
        """A redelivery found the task mid-way (the executor died): the page is where it was."""
        await self.prepare()
        if self.run.state is S.ANALYZING:
            await self.run.progress(S.EXECUTING_AGENT, step="form_engine", step_number=1, total_steps=1)
        await self.conclude(await self._engine())

    async def after_barrier(self, kind: str | None) -> None:
        """The person signed in or passed the checkpoint: look again, then go on to the job."""
        if not await signin.through(self):
            return  # still there: the person is asked again (a new wait, never a loop)
        if kind in (waits.CHECKPOINT, waits.TWO_STEP):
            await signin.passed(self, kind)
        if urlsplit(self.page.url).path != urlsplit(self.run.task.job_url).path:
            try:
                await browser.navigate(self.page, self.run.task.job_url, self.run.x.settings.navigation_timeout_s)
            except browser.NavigationFailed as exc:
                await waits.human(self.run, f"after signing in: {exc}", self.page.url, (), await self.shot("job_page"))
                return
        await self.analyse()

    async def page_challenges(self) -> tuple[Challenge, ...]:
        return await challenges(self.page)

    async def _engine(self) -> FormReport:
        with telemetry.step("fill form", platform=self.run.task.platform) as span:
            report = await agent.fill(self.page, self.who.profile, self.agent)
            span.set_attributes({"autoapply.status": report.status, "autoapply.fields": report.filled_count})
        return report

    async def _step(self, step: Step, number: int, total: int) -> None:
        said = self.run.progress(S.EXECUTING_RPA, step=step.id, step_number=number, total_steps=total)
        if number > 1:
            await asyncio.gather(self.shot(f"{STEP_SHOT}{number - 1}"), said)
        else:
            await said

    async def shot(self, step: str) -> str | None:
        """A screenshot of the step. A template step that left the page looking as it did at the last
        shot shares that one (a picture costs a frame from the browser: seconds on a loaded machine);
        a wait's or an outcome's shot is always taken (a CAPTCHA's frame may change no text)."""
        if not self.run.x.settings.screenshots:
            return None
        seen = await receipt.look(self.page)
        if step.startswith(STEP_SHOT) and seen is not None and seen == self.last_look and self.run.shots:
            return self.run.shots[-1]
        key = await receipt.screenshot(self.run.x.objects, self.run.task, self.page, step)
        if key:
            self.run.shots.append(key)
            self.last_look = seen
        return key

    async def conclude(self, result: FormReport | Halt, approved: bool = False) -> None:
        """The filled form is submitted (or reviewed first); anything else becomes its wait or failure."""
        if isinstance(result, Halt):
            await self.halt(result)
        elif result.status == "ready":
            if not approved and submitting.wants_review(self.run.task, self.who.profile):
                await submitting.review(self, result)
            else:
                await submitting.submit(self, result)
        elif result.status == "challenge":
            await self.halt(from_challenges(result.challenges) or Halt("human", "the page shows a challenge"))
        elif result.status == "needs_answers":
            await self.ask(result, "required questions nobody has answered yet")
        else:
            await self.ask(result, f"the form did not go through: {result.status} {result.detail}".strip())

    async def ask(self, report: FormReport, reason: str) -> None:
        if self.agent.stopped:
            reason = f"{reason}; the agent stopped: {self.agent.stopped}"
        asked = await questions.with_options(self.page, report, receipt.unresolved(report))
        shot = await self.shot("needs_answers")
        await waits.human(self.run, reason, self.page.url, asked, shot)

    async def halt(self, halt: Halt) -> None:
        run = self.run
        if halt.kind == "failed":
            await self.shot("failed")
            reason = halt.reason or FailureReason.INTERNAL
            await run.emit(TaskFailed(**run.ids, reason=reason, message=halt.message), S.FAILED, finished=True)
        elif halt.kind == "captcha":
            await self.enter_executing()
            await waits.captcha(run, self.page.url, await self.shot("captcha"))
        elif halt.kind == "daily_limit":
            await signin.daily_limit(self)
        elif halt.kind in ("email_code", "email_link"):
            await self.enter_executing()
            since = halt.since or run.cause.occurred_at
            await waits.email(run, halt.kind, self.who.profile.email, since, after_submit=False)
        else:
            await self.enter_executing()
            await waits.human(run, halt.message, self.page.url, halt.questions, await self.shot("human"))

    async def enter_executing(self) -> None:
        """A wait is asked from a filling (or submitting) state: one the state machine allows it in."""
        if self.run.state not in (*EXECUTING, S.SUBMITTING):
            await self.run.progress(S.EXECUTING_AGENT, step="form_engine", step_number=1, total_steps=1)
