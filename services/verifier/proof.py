"""Reading proof of a submission: the confirmation page, the confirmation mail. Pure.

The page the executor saw after the click decides at once where it says something clear;
otherwise the platform's confirmation mail is waited for; what stays unclear goes to a person.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

from contracts.applications import ApplicationSubmitted
from contracts.states import FailureReason
from services.verifier.extract import same_company, visible_text
from services.verifier.mail.message import MailMessage

CONFIRMED = re.compile(
    r"thank(?:s| you) for (?:applying|your application)|application (?:submitted|received|sent|complete)"
    r"|your application (?:was|has been) (?:sent|submitted|received)|we(?:'ve| have) received your application"
    # Ashby: "Your application to <company> was successfully submitted." (the executor sends the phrase)
    r"|(?<!not )successfully (?:submitted|sent|received)|submitted successfully",
    re.I,
)
ALREADY_APPLIED = re.compile(r"already applied|already submitted an application|^applied$", re.I | re.M)
CLOSED = re.compile(r"no longer accepting applications|(?:job|position|vacancy|posting) (?:has )?closed", re.I)
REFUSED = re.compile(r"there is a problem|errors? found|is required|please (?:correct|fix)", re.I)
CONFIRMATION_PATH = re.compile(r"/(?:confirmation|thanks|thank-you|thankyou|submitted|success)/?$", re.I)
CONFIRMATION_MAIL = re.compile(
    r"^(?:thank(?:s| you) for (?:applying|your application)|your application was sent to|we received your application"
    r"|application received)",
    re.I,
)
ID_PARAMS = ("ref", "confirmation", "confirmation_id", "confirmationNumber", "applicationId", "application_id")
ID_IN_TEXT = re.compile(
    r"\b(?:confirmation|reference|application)\s+(?:number|no\.?|id|code)\s*[:#]?\s*(?P<id>(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{3,40})\b",
    re.I,
)


class Verdict(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Proof:
    verdict: Verdict
    evidence: tuple[str, ...] = ()
    confirmation_id: str | None = None
    reason: str | None = None  # a FailureReason value, for FAILED
    message: str = ""
    mail_id: str | None = None  # the confirmation mail that proved it: it proves nothing else


UNKNOWN = Proof(Verdict.UNKNOWN)


def from_page(event: ApplicationSubmitted) -> Proof:
    text = event.confirmation_text or ""
    found_id = confirmation_id(event.page_url, text)
    if CONFIRMED.search(text):
        return Proof(Verdict.COMPLETED, ("confirmation_page",), found_id)
    if CONFIRMATION_PATH.search(urlsplit(event.page_url).path) and not REFUSED.search(text):
        return Proof(Verdict.COMPLETED, ("confirmation_url",), found_id)
    return _refusal(event, text)


def _refusal(event: ApplicationSubmitted, text: str) -> Proof:
    if ALREADY_APPLIED.search(text):
        # After a crash the first click may have gone through: the site's "already applied" is our proof.
        if event.recovered:
            return Proof(Verdict.COMPLETED, ("already_applied_marker",), confirmation_id(event.page_url, text))
        return Proof(Verdict.FAILED, reason=FailureReason.ALREADY_APPLIED.value, message="the site says so")
    if CLOSED.search(text):
        return Proof(Verdict.FAILED, reason=FailureReason.JOB_CLOSED.value, message="the job closed before submit")
    if REFUSED.search(text):
        return Proof(Verdict.FAILED, reason=FailureReason.SUBMISSION_ERROR.value, message="the site refused the form")
    return UNKNOWN


def second_look(page_text: str) -> Proof:
    """The job page opened again after the submit: "already applied" there proves the click landed."""
    if ALREADY_APPLIED.search(page_text):
        return Proof(Verdict.COMPLETED, ("already_applied_marker",))
    return UNKNOWN


def from_mail(messages: list[MailMessage], company: str | None, title: str | None = None) -> Proof:
    """The platform's confirmation mail (messages already gated on sender, recipient and time).

    It must name the company; one that also names the job title is preferred, since one company's
    confirmations for two jobs look alike.
    """
    confirmations = [m for m in messages if CONFIRMATION_MAIL.search(m.subject)]
    named = [m for m in confirmations if company is None or _names(company, _words(m))]
    titled = [m for m in named if title is not None and _names(title, _words(m))]
    if not named:
        return UNKNOWN
    best = (titled or named)[0]
    return Proof(Verdict.COMPLETED, ("confirmation_email",), confirmation_id("", _words(best)), mail_id=best.id)


def _words(message: MailMessage) -> str:
    return message.subject + " " + (message.text or visible_text(message.html))


def _names(company: str, text: str) -> bool:
    wanted = " ".join(company.casefold().split())
    return wanted in " ".join(text.casefold().split()) or same_company(company, text)


def confirmation_id(url: str, text: str) -> str | None:
    query = parse_qs(urlsplit(url).query)
    for key in ID_PARAMS:
        if query.get(key):
            return query[key][0]
    found = ID_IN_TEXT.search(text)
    return found.group("id") if found else None
