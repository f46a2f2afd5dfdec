"""What the model may answer, what it is shown to answer it, and which of its answers we take. Pure.

The model drafts free text (why this role, a cover note, a question about the user's interests)
and picks an option the user's own data supports. It never answers a fact the user did not give:
years of a skill, work authorisation, sponsorship, salary, notice, dates, demographics, consents.
Those fields are classified here and never sent; an answer the model gives for one anyway is
refused, and the field stays for a person. Only the profile parts the sent fields need go with
them (docs/agent.md, "What the model is shown").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from contracts.profile import Profile
from forms.bank import lookup
from forms.records import CHOICE_WIDGETS, FieldRecord, Resolution
from forms.resolve import fit
from forms.text import content_words, fold

# Question topics and profile keys that are facts about the user: only the user (or an operator)
# answers them. EEO keys all start with "eeo_".
FACT_KEYS = frozenset(
    {
        "years_of_experience",
        "sponsorship",
        "work_authorization",
        "authorized_without_sponsorship",
        "salary",
        "notice_period",
        "earliest_start",
        "relocation",
        "privacy_consent",
        "age_18",
        "previous_worker",
        "referral",
        "how_heard",
        "today",
    }
)
# Words that make a question a fact question whatever its topic came out as.
FACT_WORDS = re.compile(
    r"\byears?\b|how (many|long|much)|\bsalary|compensation|\bpay\b|\brate\b|authori[sz]|sponsor|visa|citizen"
    r"|clearance|licen[cs]e|certif|criminal|convict|gender|\brace\b|ethnic|veteran|disabilit|\bage\b|birth"
    r"|\bgpa\b|grade|degree|notice|start date|available|\bdate\b|\bphone\b|e ?mail|address|\bssn\b|social security"
    r"|passport|national id|relocat|\breferr|previously (worked|employed)|consent|agree|acknowledge",
    re.I,
)
# Free text the model may draft: an open question in the user's voice.
OPEN_QUESTION = re.compile(
    r"\bwhy\b|tell us|describe|cover (letter|note)|about (you|yourself)|motivat|interest|excit|what (makes|draws|would)"
    r"|additional information|anything else|message to|note to|introduc|summary|what do you (hope|want|bring)",
    re.I,
)
# A choice about where the work happens: the user's remote preference may decide it.
WORKPLACE = re.compile(r"remote|hybrid|on ?site|office|way of working|work arrangement", re.I)
# Content words a saved question must share with a field to be shown with it (one is chance: "work").
SHARED_WORDS = 2
TEXT_LIMIT = {"textarea": 2_000, "text": 300}
# Profile parts, by what a drafted field may need: its writing, or a choice among options.
WRITING_PARTS = ("first_name", "current_title", "current_company", "work_history", "education")


@dataclass(frozen=True)
class Ask:
    """One field sent to the model, under a short id of ours (selectors stay on this side)."""

    ref: str
    record: FieldRecord
    key: str
    kind: str  # "write" (free text) or "choose" (one of the options)

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "field": self.ref,
            "label": self.record.label,
            "widget": self.record.widget,
            "required": self.record.required,
        }
        if self.kind == "choose":
            entry["options"] = [o.label for o in self.record.options if o.label]
        else:
            entry["max_characters"] = TEXT_LIMIT.get(self.record.widget, TEXT_LIMIT["text"])
        return entry


def is_fact(record: FieldRecord, key: str) -> bool:
    if key in FACT_KEYS or key.startswith("eeo_"):
        return True
    if key:  # any other profile key (name, email, links...): the profile answers it or nobody does
        return True
    return FACT_WORDS.search(fold(record.text)) is not None


def kind_of(record: FieldRecord, key: str) -> str:
    """ "write", "choose", or "" when the model may not answer this field."""
    if is_fact(record, key) or record.widget == "file":
        return ""
    if record.widget in CHOICE_WIDGETS and any(o.label for o in record.options):
        return "choose"
    if record.widget == "textarea" or (record.widget == "text" and OPEN_QUESTION.search(fold(record.text))):
        return "write"
    return ""


def askable(unresolved: list[tuple[FieldRecord, Resolution]]) -> list[Ask]:
    asks: list[Ask] = []
    for record, res in unresolved:
        kind = kind_of(record, res.key)
        if kind:
            asks.append(Ask(f"f{len(asks) + 1}", record, res.key, kind))
    return asks


def _work(profile: Profile) -> list[dict[str, str]]:
    return [
        {k: v for k, v in (("title", j.title), ("company", j.company), ("summary", j.description or "")) if v}
        for j in profile.work_history
    ]


def _education(profile: Profile) -> list[dict[str, str]]:
    return [
        {k: v for k, v in (("school", e.school), ("degree", e.degree), ("field", e.field_of_study)) if v}
        for e in profile.education
    ]


def _writing(profile: Profile) -> dict[str, Any]:
    parts: dict[str, Any] = {
        "first_name": profile.first_name,
        "current_title": profile.current_title,
        "current_company": profile.current_company,
        "work_history": _work(profile),
        "education": _education(profile),
    }
    return {k: v for k, v in parts.items() if v}


def _answers_for(profile: Profile, asks: list[Ask]) -> dict[str, str]:
    """The user's saved answers whose words some sent field shares (the nearest one per field)."""
    found: dict[str, str] = {}
    for ask in asks:
        hit = lookup(profile.answers, ask.record.label)
        if hit is not None:
            found[hit.question] = hit.answer.answer
            continue
        words = set(content_words(ask.record.label))
        for question, saved in profile.answers.items():
            shared = words & set(content_words(question))
            if len(shared) >= SHARED_WORDS and not FACT_WORDS.search(fold(question)):
                found[question] = saved.answer
    return found


def context_for(profile: Profile, asks: list[Ask], job: dict[str, str]) -> dict[str, Any]:
    """Only what the fields need: the writing material when something is to be written, the saved
    answers that share words with a field, the job. Never contact details, EEO, salary or links."""
    context: dict[str, Any] = {"job": {k: v for k, v in job.items() if v}}
    if any(a.kind == "write" for a in asks):
        context["applicant"] = _writing(profile)
    answers = _answers_for(profile, asks)
    if answers:
        context["saved_answers"] = answers
    remote = profile.preferences.remote
    if remote is not None and any(a.kind == "choose" and WORKPLACE.search(_words(a.record)) for a in asks):
        context["preferences"] = {"wants_remote_work": remote}
    return context


def _words(record: FieldRecord) -> str:
    return fold(" ".join([record.text, *(o.label for o in record.options)]))


SYSTEM = (
    "You help a job seeker finish an application form. Answer only the fields listed, through the tool. "
    "Write free text in the applicant's voice, plainly, from the applicant's data only. For a field with "
    "options, pick one only if the applicant's data supports it, and name in based_on the data keys that do. "
    "Never state a fact the applicant did not give (years of experience, work authorisation, salary, dates, "
    "demographics): leave such a field out. Leave out any field you cannot answer from the data."
)


def tool(asks: list[Ask]) -> dict[str, Any]:
    return {
        "name": "answer_fields",
        "description": "The answers for the listed form fields; leave out a field the data cannot answer.",
        "input_schema": {
            "type": "object",
            "properties": {
                "answers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "enum": [a.ref for a in asks]},
                            "value": {"type": "string"},
                            "based_on": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["field", "value"],
                    },
                }
            },
            "required": ["answers"],
        },
    }


def prompt(asks: list[Ask], context: dict[str, Any]) -> str:
    data = {"fields": [a.as_json() for a in asks], "applicant_data": context}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _keys(context: dict[str, Any]) -> set[str]:
    """The names the model may cite in based_on: each datum sent, and each saved question (not the
    sections' own names: "applicant" supports nothing in particular)."""
    named = set(context.get("applicant", {})) | set(context.get("job", {}))
    named |= set(context.get("saved_answers", {})) | set(context.get("preferences", {}))
    return {fold(k) for k in named}


def _accepted(ask: Ask, answer: dict[str, Any], cited: set[str]) -> Resolution | None:
    value = str(answer.get("value") or "").strip()
    if not value:
        return None
    if ask.kind == "write":
        limit = TEXT_LIMIT.get(ask.record.widget, TEXT_LIMIT["text"])
        return Resolution(value[:limit], "llm", ask.key or "drafted")
    based_on = {fold(str(b)) for b in answer.get("based_on") or ()}
    if not based_on & cited:
        return None  # a choice no data of the user's supports is a guess
    option = next((o for o in ask.record.options if o.label and fold(o.label) == fold(value)), None)
    if option is None:
        return None  # one of the options, word for word: a near match would be the model's guess
    res = fit(ask.record, option.label, "llm", ask.key or "drafted")
    return res if res.resolved else None


def accept(asks: list[Ask], reply: dict[str, Any], context: dict[str, Any]) -> dict[str, Resolution]:
    """The model's answers we take, by the field's handle: only for fields we sent as askable."""
    by_ref = {a.ref: a for a in asks}
    cited = _keys(context)
    taken: dict[str, Resolution] = {}
    for answer in reply.get("answers") or ():
        if not isinstance(answer, dict):
            continue
        ask = by_ref.get(str(answer.get("field")))
        if ask is None or ask.record.handle in taken or kind_of(ask.record, ask.key) != ask.kind:
            continue
        res = _accepted(ask, answer, cited)
        if res is not None:
            taken[ask.record.handle] = res
    return taken
