"""Everything the sandbox remembers while it runs, in one object hung on the Starlette app."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request

from sandbox.accounts import Accounts
from sandbox.captcha import CaptchaBook
from sandbox.flags import FlagStore, JobFlags
from sandbox.holds import Holds
from sandbox.jobs import Catalog, Job
from sandbox.mailbox import MailStore
from sandbox.mailer import Mailer
from sandbox.records import Records
from sandbox.remember import SignIns
from sandbox.sessions import Sessions


@dataclass
class SandboxState:
    catalog: Catalog
    records: Records
    mail: MailStore
    mailer: Mailer
    state_dir: Path
    captcha_oracle: bool = False
    flags: FlagStore = field(default_factory=FlagStore)
    sessions: Sessions = field(default_factory=Sessions)
    captcha: CaptchaBook = field(default_factory=CaptchaBook)
    accounts: Accounts = field(default_factory=Accounts)
    holds: Holds = field(default_factory=Holds)
    signins: SignIns = field(default_factory=SignIns)
    # Flow state that outlives one request: Greenhouse security codes, LinkedIn drafts, ...
    pending: dict[str, Any] = field(default_factory=dict)

    def job_flags(self, job: Job, request: Request) -> JobFlags:
        return self.flags.effective(job.defaults, job.site, job.job_id, request.query_params)

    def reset(self) -> None:
        self.records.clear()
        self.mail.clear()
        self.flags.clear()
        self.sessions.clear()
        self.accounts.clear()
        self.pending.clear()
        self.holds.clear()
        self.signins.clear()


def sbx(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sbx
    return state


def session(request: Request) -> dict[str, Any]:
    return sbx(request).sessions.get(request.state.sid)
