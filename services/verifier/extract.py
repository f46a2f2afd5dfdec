"""Finding the code or link in verification mail, with anchored patterns per platform. Pure.

A pattern names the platform's own wording, never "any 6 digits": a footer's zip code, the
candidate's name in the greeting and a job alert's token all look like codes to a loose scanner.
The subject names the company where the platform's does, so another job's code is refused too.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

from services.verifier.mail.message import MailMessage

Kind = Literal["code", "link"]

# Each platform's mail comes from these domains (and their subdomains) only.
PLATFORM_SENDERS: dict[str, tuple[str, ...]] = {
    "greenhouse": ("greenhouse-mail.io", "greenhouse.io"),
    "lever": ("hire.lever.co", "lever.co"),
    "ashby": ("ashbyhq.com",),
    "workday": ("myworkday.com", "myworkdayjobs.com", "workday.com"),
    "linkedin": ("linkedin.com",),
}
# Loopback hosts are real job sites only in sandbox mode.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
_CODE_WORDS = r"(?:verification|security|confirmation|one-time|access)"


@dataclass(frozen=True)
class Rule:
    platform: str  # "*": a platform without rules of its own
    kind: Kind
    subject: re.Pattern[str]  # group "company" where the platform's subject names it
    code: re.Pattern[str] | None = None  # group "code"
    link_path: re.Pattern[str] | None = None
    link_hosts: tuple[str, ...] = ()  # the platform's own hosts; empty: the sender's domain


RULES: tuple[Rule, ...] = (
    Rule(
        "greenhouse",
        "code",
        subject=re.compile(r"^Security code for your application to (?P<company>.+)$", re.I),
        # "Copy and paste this code into the security code field on your application: hWze7RPl"
        code=re.compile(r"code\s+into\s+the\s+security\s+code\s+field[^:]{0,80}:\s*(?P<code>[A-Za-z0-9]{8})(?![\w-])"),
    ),
    Rule(
        "workday",
        "link",
        subject=re.compile(r"^(?P<company>.+?):\s*verify your candidate account$", re.I),
        link_path=re.compile(r"/activate/[A-Za-z0-9_-]{8,}$"),
        link_hosts=PLATFORM_SENDERS["workday"],
    ),
    Rule(
        "*",
        "code",
        subject=re.compile(rf"\b{_CODE_WORDS}\s+code\b", re.I),
        # A labelled code with at least one digit: "Your verification code is 4F7K2Q".
        code=re.compile(
            rf"\b{_CODE_WORDS}\s+code(?:\s+is)?\s*[:\-]?\s*(?P<code>(?=[A-Za-z]*\d)[A-Za-z0-9]{{4,10}})(?![\w-])", re.I
        ),
    ),
    Rule(
        "*",
        "link",
        subject=re.compile(r"\b(?:verify|confirm|activate)\b", re.I),
        link_path=re.compile(r"(?:verify|confirm|activat)", re.I),
    ),
)


@dataclass(frozen=True)
class Wanted:
    kind: Kind
    platform: str
    company: str | None = None
    allow_loopback: bool = False  # sandbox mode


@dataclass(frozen=True)
class Found:
    value: str
    message: MailMessage


def rules_for(platform: str, kind: Kind) -> tuple[Rule, ...]:
    own = tuple(r for r in RULES if r.platform == platform and r.kind == kind)
    return own or tuple(r for r in RULES if r.platform == "*" and r.kind == kind)


def first_match(messages: list[MailMessage], wanted: Wanted) -> Found | None:
    """The newest message (messages come newest first) that yields a value."""
    for message in messages:
        value = extract(message, wanted)
        if value is not None:
            return Found(value, message)
    return None


def extract(message: MailMessage, wanted: Wanted) -> str | None:
    for rule in rules_for(wanted.platform, wanted.kind):
        if not _subject_fits(rule, message.subject, wanted.company):
            continue
        value = _code(rule, message) if rule.kind == "code" else _link(rule, message, wanted.allow_loopback)
        if value is not None:
            return value
    return None


def same_company(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _subject_fits(rule: Rule, subject: str, company: str | None) -> bool:
    found = rule.subject.search(subject)
    if found is None:
        return False
    named = found.groupdict().get("company")
    return company is None or named is None or same_company(named, company)


def _code(rule: Rule, message: MailMessage) -> str | None:
    assert rule.code is not None
    for body in (message.text, visible_text(message.html)):
        found = rule.code.search(body)
        if found:
            return found.group("code")
    return None


def _link(rule: Rule, message: MailMessage, allow_loopback: bool) -> str | None:
    assert rule.link_path is not None
    hosts = rule.link_hosts or (message.sender_domain,)
    for url in links(message):
        parts = urlsplit(url)
        if rule.link_path.search(parts.path) and _trusted(parts.scheme, parts.hostname or "", hosts, allow_loopback):
            return url
    return None


def _trusted(scheme: str, host: str, hosts: tuple[str, ...], allow_loopback: bool) -> bool:
    if allow_loopback and host in LOOPBACK_HOSTS:
        return scheme in ("http", "https")
    return scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts)


_URL = re.compile(r"https?://[^\s<>\"')]+")


def links(message: MailMessage) -> list[str]:
    """Links of the HTML part (hrefs) then of the text part, in order, without repeats."""
    parser = _Links()
    parser.feed(message.html)
    return list(dict.fromkeys(parser.hrefs + _URL.findall(message.text)))


def visible_text(html: str) -> str:
    parser = _Links()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith(("http://", "https://")):
            self.hrefs.append(href.strip())

    def handle_data(self, data: str) -> None:
        self.text.append(data)
