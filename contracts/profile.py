"""The job seeker's profile: what Autoapply may type into a form, and nothing else.

One model for the `autoapply plan --profile` YAML file, intake's `GET/PUT /api/v1/profile` and the
form engine. A value is only ever filled from here (provenance profile / answer_bank), from an
operator, or from an LLM draft where `preferences.allow_llm` says so.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# What the user answers to an EEO question they would rather not answer: the form's decline option.
DECLINE = "decline"
# Where an answer in the bank came from.
AnswerSource = Literal["user", "operator", "llm", "resume"]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class BankAnswer(_Data):
    """One answer of the answer bank: the user's words for one question, with where and when."""

    answer: str = Field(min_length=1)
    provenance: AnswerSource = "user"
    saved_at: datetime | None = None


class Eeo(_Data):
    """Voluntary self-identification: an answer in the user's words, or "decline" (the default)."""

    gender: str = DECLINE
    race: str = DECLINE
    hispanic_latino: str = DECLINE
    veteran: str = DECLINE
    disability: str = DECLINE
    sexual_orientation: str = DECLINE
    transgender: str = DECLINE


class Preferences(_Data):
    """The user's standing answers and consents. None means "not said": such a question is unresolved."""

    salary: str | None = None  # in the user's words, e.g. "$140,000" or "140000 USD a year"
    relocation: bool | None = None  # willing to relocate
    sponsorship: bool | None = None  # needs visa sponsorship, now or in the future
    work_authorization: bool | None = None  # legally authorised to work where the job is
    notice_period: str | None = None  # e.g. "2 weeks"
    earliest_start: str | None = None
    remote: bool | None = None  # wants remote work
    allow_llm: bool = False  # LLM drafts for free-text questions, where the user allows them
    # The most the model may cost one of the user's tasks, in US dollars; the deployment's own cap
    # still holds where it is lower (docs/agent.md, "Cost and budget").
    llm_budget_usd: float | None = Field(default=None, gt=0)
    review_before_submit: bool = False  # stop before submit until the user approves
    privacy_consent: bool | None = None  # agrees to an employer's privacy notice / data processing
    decline_eeo: bool = True  # an EEO question the eeo block does not answer takes its decline option
    save_operator_answers: bool = True  # an operator's answer goes to the answer bank
    # An operator may sign in or pass a checkpoint for the user in the live browser (else only the user).
    operators_may_sign_in: bool = False


class Address(_Data):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None  # state, province, county
    postal_code: str | None = None
    country: str | None = None  # a country name, e.g. "United States"


class Education(_Data):
    school: str
    degree: str | None = None  # e.g. "Bachelor's Degree"
    field_of_study: str | None = None
    start: str | None = None  # "YYYY" or "YYYY-MM"
    end: str | None = None


class Job(_Data):
    company: str
    title: str
    location: str | None = None
    start: str | None = None  # "YYYY" or "YYYY-MM"
    end: str | None = None  # None while current
    current: bool = False
    description: str | None = None


def _bank_entry(answer: Any) -> Any:
    if isinstance(answer, bool):  # YAML reads an unquoted yes/no as a boolean
        return {"answer": "Yes" if answer else "No"}
    if isinstance(answer, (str, int, float)):
        return {"answer": str(answer)}
    return answer


class Profile(_Data):
    first_name: str = Field(min_length=1)
    last_name: str = Field(min_length=1)
    preferred_name: str | None = None
    pronouns: str | None = None
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None  # as the user writes it, ideally with the country code: "+1 415 555 0134"
    phone_country: str | None = None  # ISO 3166 alpha-2 of the phone number, e.g. "US"
    phone_type: str | None = None  # where a form asks which kind of phone: "Mobile", "Home", ...
    location: str | None = None  # "City, Region, Country"
    address: Address | None = None
    linkedin_url: str | None = None
    github_url: str | None = None
    portfolio_url: str | None = None
    current_company: str | None = None
    current_title: str | None = None
    years_of_experience: float | None = Field(default=None, ge=0, le=70)
    resume: str | None = None  # a file path (plan) or a resume id (intake)
    cover_letter: str | None = None
    answers: dict[str, BankAnswer] = Field(default_factory=dict)  # the answer bank: question -> answer
    eeo: Eeo = Field(default_factory=Eeo)
    preferences: Preferences = Field(default_factory=Preferences)
    education: tuple[Education, ...] = ()
    work_history: tuple[Job, ...] = ()

    @field_validator("answers", mode="before")
    @classmethod
    def _plain_answers(cls, value: Any) -> Any:
        """A bare string is the user's own answer (how the YAML file writes them)."""
        if isinstance(value, dict):
            return {q: _bank_entry(a) for q, a in value.items()}
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Where intake leaves a task's profile for the executor: `<user_id>/tasks/<task_id>/profile.json`.
TASK_PROFILE_OBJECT = "profile.json"


class TaskProfile(_Data):
    """The profile as it was when the task was accepted, and where its resume lies in the object store."""

    profile: Profile | None = None  # None: the user had not written a profile yet
    resume_key: str | None = None
    resume_filename: str | None = None
