"""Workflow templates (workflows/<platform>.yaml): the flow of a known ATS, as data.

A template carries the flow (which button opens the form, the account step, the modal, Next until
Review); the form engine fills the fields of each step. Templates use the original design's step
vocabulary and are validated when loaded: a mistake names the file and the line.
"""

import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runtime.yamlfile import YamlFileError, load_model

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / "workflows"


class Action(StrEnum):
    RPA_CLICK = "RPA_CLICK"
    RPA_FILL = "RPA_FILL"
    RPA_FILL_FORM = "RPA_FILL_FORM"  # the form engine fills every field of the current step
    RPA_SELECT = "RPA_SELECT"
    RPA_UPLOAD = "RPA_UPLOAD"
    RPA_SCROLL = "RPA_SCROLL"
    RPA_WAIT = "RPA_WAIT"
    AGENT_DECIDE = "AGENT_DECIDE"
    AGENT_FILL_FORM = "AGENT_FILL_FORM"
    AGENT_ANSWER = "AGENT_ANSWER"
    HUMAN_TAKEOVER = "HUMAN_TAKEOVER"
    EMAIL_VERIFY = "EMAIL_VERIFY"


# What a page can say that stops the flow; each maps to an outcome the executor publishes.
Trigger = Literal[
    "captcha_detected",
    "email_verification",
    "already_applied",
    "job_closed",
    "login_required",
    "account_restricted",
    "daily_limit",
    "external_apply",
]
# PAUSE: the platform paused the account (a daily limit); the task goes back to the queue until then.
HandlerAction = Literal["HUMAN_TAKEOVER", "EMAIL_VERIFY", "SKIP", "FAIL", "PAUSE"]
# Actions that act on one element and so need a selector.
_NEEDS_SELECTOR = frozenset({Action.RPA_CLICK, Action.RPA_FILL, Action.RPA_SELECT, Action.RPA_SCROLL, Action.RPA_WAIT})


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Loop(_Data):
    """Click `click_selector` until `until_selector` shows (Next until Review), filling each step."""

    click_selector: str
    until_selector: str
    max_iterations: int = Field(default=8, ge=1, le=30)
    delay_between: int = Field(default=0, ge=0, le=10_000)  # ms
    fill_each: bool = True  # the form engine fills each step before the click


class Step(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    action: Action
    selector: str | None = None
    when: str | None = None  # run only when this selector is on the page
    value: str | None = None  # a profile key ("profile.email") or a literal
    field_mapping: dict[str, str] = Field(default_factory=dict)  # selector -> profile key (hints)
    skip_if_prefilled: bool = True
    trigger_selector: str | None = None
    input_selector: str | None = None
    file_source: Literal["resume", "cover_letter"] | None = None
    loop: Loop | None = None
    context_fields: tuple[str, ...] = ()
    max_agent_steps: int = Field(default=10, ge=1, le=50)
    wait_after: int = Field(default=0, ge=0, le=30_000)  # ms
    timeout: int = Field(default=10_000, ge=100, le=120_000)  # ms
    optional: bool = False  # a missing selector skips the step instead of falling back to the engine
    submit: bool = False  # this click submits the application: recorded before, never repeated
    account: bool = False  # the site's account pages: the template's `account` section drives this step

    @model_validator(mode="after")
    def _complete(self) -> "Step":
        if self.action in _NEEDS_SELECTOR and not (self.selector or self.loop):
            raise ValueError(f"{self.action.value} needs a selector (or a loop)")
        if self.action is Action.RPA_UPLOAD and not (self.input_selector and self.file_source):
            raise ValueError("RPA_UPLOAD needs input_selector and file_source")
        if self.submit and self.action is not Action.RPA_CLICK:
            raise ValueError("only an RPA_CLICK step can submit")
        return self


class ErrorHandler(_Data):
    trigger: Trigger
    selectors: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()  # case-insensitive phrases of the visible page text
    action: HandlerAction

    @model_validator(mode="after")
    def _something_to_look_for(self) -> "ErrorHandler":
        if not (self.selectors or self.texts):
            raise ValueError("an error handler needs selectors or texts to look for")
        return self


class AccountPages(_Data):
    """The site's own account (services/executor/accounts.py): sign in with the stored one, or create
    one with the user's email and a generated password where `signup` allows it, then open the
    emailed link. The `create` and `sign_in` steps are RPA_FILL / RPA_CLICK steps whose values are
    `account.username` and `account.password`; the texts are phrases of the visible page."""

    scope: Literal["platform", "tenant"] = "platform"  # Workday: one account per tenant
    signup: bool = False
    create_form: str | None = None
    create: tuple[Step, ...] = ()
    sign_in_form: str
    to_sign_in: str | None = None  # the link from the Create Account form to the Sign In form
    to_create: str | None = None  # and back
    sign_in: tuple[Step, ...] = Field(min_length=1)
    signed_in: str  # shows once the site let the user in
    error: str  # where the site says what went wrong
    verification_sent: tuple[str, ...] = ()  # an emailed link must be opened before signing in
    not_verified: tuple[str, ...] = ()
    exists: tuple[str, ...] = ()  # the email has an account here already (its password unknown to us)
    refused: tuple[str, ...] = ()  # selectors: the site offers no account of its own (Google sign-in only)
    # Some tenants mail a code to type on their own page instead of a link: the phrases of that page,
    # the page's form, its code field and its button.
    code_sent: tuple[str, ...] = ()
    code_form: str | None = None
    code_field: str | None = None
    code_submit: str | None = None
    # The control beside "not verified" that mails the verification again (a tenant that says no more).
    resend: str | None = None

    @model_validator(mode="after")
    def _can_create(self) -> "AccountPages":
        if self.signup and not (self.create_form and self.create):
            raise ValueError("signup needs create_form and create steps")
        for step in (*self.create, *self.sign_in):
            if step.action not in (Action.RPA_FILL, Action.RPA_CLICK):
                raise ValueError(f"account step {step.id}: only RPA_FILL and RPA_CLICK act on account pages")
        return self


class Detection(_Data):
    selectors: tuple[str, ...] = Field(min_length=1)


class Template(_Data):
    platform: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    workflow_name: str
    version: str
    url_pattern: str
    detection: Detection
    steps: tuple[Step, ...] = Field(min_length=1)
    error_handlers: tuple[ErrorHandler, ...] = ()
    account: AccountPages | None = None

    @field_validator("url_pattern")
    @classmethod
    def _a_regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _unique_steps(self) -> "Template":
        ids = [step.id for step in self.steps]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"step ids must be unique; repeated: {', '.join(twice)}")
        if sum(step.submit for step in self.steps) > 1:
            raise ValueError("at most one step submits")
        if any(step.account for step in self.steps) and self.account is None:
            raise ValueError("an account step needs the template's account section")
        return self

    def matches_url(self, url: str) -> bool:
        return re.search(self.url_pattern, url) is not None


class TemplateError(YamlFileError):
    """A template file is not valid; the message names the file and the line."""


def load(path: Path) -> Template:
    try:
        return load_model(Template, path.read_text(encoding="utf-8"), str(path), what="workflow template")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}") from None
    except YamlFileError as exc:
        raise TemplateError(str(exc)) from None


def load_all(directory: Path = WORKFLOWS_DIR) -> dict[str, Template]:
    """Every template of the folder by platform; one bad file stops the executor at start."""
    templates: dict[str, Template] = {}
    for path in sorted(directory.glob("*.yaml")):
        template = load(path)
        if template.platform in templates:
            raise TemplateError(f"{path}: a second template for platform {template.platform}")
        templates[template.platform] = template
    return templates
