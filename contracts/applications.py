"""Submission events: the click, and the proof."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Event


class SentField(BaseModel):
    """One value the form sent, and where it came from (profile, answer_bank, llm, operator)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    value: str
    provenance: str


class TokenUsage(BaseModel):
    """What a task (or one call) spent on the model, as the provider counted it, and its price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_tokens: int = 0  # uncached input
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    calls: int = 0
    usd: float = 0.0  # at the configured price of the model

    @property
    def all_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


class LearnedAnswer(BaseModel):
    """What the executor keeps of the user's about one question of a site once the site took the
    application: the answer the model drafted (provenance llm), or that the model had nothing of
    the user's to answer it with (provenance declined, answer empty). The user's data: it goes into
    their export and is deleted with them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    site: str
    label: str
    answer: str
    provenance: Literal["llm", "declined"]


class ApplicationSubmitted(Event):
    TYPE = "application.submitted"
    type: Literal["application.submitted"] = "application.submitted"
    attempt_id: str  # recorded before the click; one per (user, job)
    page_url: str
    receipt_uri: str  # what was sent, with provenance
    confirmation_text: str | None = None
    platform: str | None = None
    job_url: str | None = None
    job_title: str | None = None
    company: str | None = None
    fields: tuple[SentField, ...] = ()
    files: tuple[str, ...] = ()  # object-store keys of the files uploaded
    screenshots: tuple[str, ...] = ()
    # The address the application gave, where the confirmation mail will arrive.
    email: str | None = None
    # A task recovered after a crash: the click may or may not have happened.
    recovered: bool = False
    # Where the browser still runs, for a second look at the job page ("already applied").
    cdp_endpoint: str | None = None
    # The model's tokens the task spent (input, output and cache together; 0 without the agent).
    tokens: int = 0
    usage: TokenUsage | None = None
    # What the executor learned of the user's on this site with this application (replayed next time).
    learned: tuple[LearnedAnswer, ...] = ()


class ApplicationCompleted(Event):
    TYPE = "application.completed"
    type: Literal["application.completed"] = "application.completed"
    confirmation_id: str | None = None
    evidence: tuple[str, ...] = Field(default=())  # confirmation page, email, "already applied" marker
    job_title: str | None = None
    company: str | None = None
    receipt_uri: str | None = None


class ApplicationFailed(Event):
    TYPE = "application.failed"
    type: Literal["application.failed"] = "application.failed"
    reason: str
    message: str = ""
