"""What a field asks: rules from its words to a profile key or a question topic. Data, in order.

The first rule whose pattern matches wins, so the specific come before the general
("preferred name" before "name", "phone type" before "phone"). A rule may be limited to some
widgets, and "noun" rules do not fire on a yes/no question ("Are you located in ...?" is not the
location field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forms.datekeys import date_key
from forms.records import FieldRecord
from forms.text import fold

TEXTISH = frozenset(
    {"text", "email", "tel", "number", "url", "search", "textarea", "combobox", "select", "listbox_button", "date"}
)
FILES = frozenset({"file"})
ANY: frozenset[str] = frozenset()
# A label that asks a closed question (answered yes or no, or by choosing), not for a value.
QUESTION = re.compile(r"^(are|do|does|did|can|could|will|would|have|has|is|was|were|may|should|shall)\b", re.I)


@dataclass(frozen=True)
class Rule:
    key: str
    pattern: re.Pattern[str]
    widgets: frozenset[str] = ANY  # empty: any widget
    noun: bool = True  # a profile value: not on a yes/no question
    unless: re.Pattern[str] | None = None


def _r(
    key: str, pattern: str | tuple[str, ...], widgets: frozenset[str] = ANY, *, noun: bool = True, unless: str = ""
) -> Rule:
    """A rule; a tuple of patterns is their alternation (one per line reads better)."""
    joined = pattern if isinstance(pattern, str) else "|".join(pattern)
    return Rule(key, re.compile(joined, re.I), widgets, noun, re.compile(unless, re.I) if unless else None)


# A tick that asks to be contacted later: the user's choice, never a consent we give for them.
MARKETING = r"future (job )?(opportunit|role|vacanc)|contact me|talent (pool|community|network)|newsletter|marketing"


# EEO and voluntary self-identification: answered from profile.eeo, never guessed.
EEO_RULES = (
    _r("eeo_transgender", r"\btransgender\b", noun=False),
    _r("eeo_sexual_orientation", r"sexual orientation", noun=False),
    _r("eeo_hispanic", r"hispanic|latin[oax]", noun=False, unless=r"\brace\b|racial"),
    _r("eeo_race", r"\brace\b|ethnic|racial", noun=False),
    _r("eeo_gender", r"\bgender\b|\bsex\b", noun=False),
    _r("eeo_veteran", r"veteran|armed forces|military service", noun=False),
    _r("eeo_disability", r"disabilit|chronic (health )?condition|handicap", noun=False),
)
# Screening topics: answered from the answer bank, then the preferences. Opposites stay apart.
TOPIC_RULES = (
    _r(
        "authorized_without_sponsorship",
        (r"(authori[sz]ed|eligible|right|able|permitted|entitled) to work .*without .*sponsor"),
        noun=False,
    ),
    _r(
        "sponsorship",
        (
            r"sponsor",
            r"visa (status|support|requirement)",
            r"(require|need)s? (a |an )?(work )?visa",
            r"\bh-?1b\b",
            r"work permit sponsor",
        ),
        noun=False,
    ),
    _r(
        "work_authorization",
        (
            r"authori[sz]ed to work",
            r"(legally|lawfully) (authori[sz]ed|eligible|permitted|able|entitled)",
            r"eligib\w* to work",
            r"right to work",
            r"work authori[sz]ation",
            r"permitted to work",
            r"entitled to work",
        ),
        noun=False,
    ),
    _r("age_18", r"\b18\b|eighteen|legal age|age of majority", noun=False),
    _r("relocation", r"relocat", noun=False),
    _r(
        "how_heard",
        (
            r"how did you (hear|find|learn|come across)",
            r"where did you (hear|find|see|learn)",
            r"hear about (us|this)",
            r"^source$",
            r"referral source",
        ),
        noun=False,
    ),
    _r("referral", r"\breferr(al|ed)|who referred", noun=False),
    _r(
        "previous_worker",
        (
            r"previously (worked|been employed|employed)",
            r"former (employee|worker)",
            r"worked (for|at) .* before",
            r"previous worker",
        ),
        noun=False,
    ),
    _r(
        "salary",
        (
            r"salary",
            r"compensation",
            r"pay (expectation|range|requirement)",
            r"desired pay",
            r"expected (pay|ctc)",
            r"\bctc\b",
            r"remuneration",
        ),
        TEXTISH,
        noun=False,
    ),
    _r("notice_period", r"notice period|notice", TEXTISH, noun=False),
    _r(
        "earliest_start",
        (
            r"start date",
            r"when (can|could|would) you (be able to )?start",
            r"earliest (possible )?start",
            r"available to start",
            r"availability",
        ),
        TEXTISH,
        noun=False,
        unless=r"year|month|education|school",
    ),
    _r(
        "years_of_experience",
        (r"years? of (\w+ )?experience", r"how many years", r"years (have you )?(worked|working)"),
        TEXTISH,
        noun=False,
    ),
    _r(
        "privacy_consent",
        (
            r"privacy",
            r"consent",
            r"i agree",
            r"agree to",
            r"terms",
            r"gdpr",
            r"data (processing|protection)",
            r"i have read",
            r"acknowledge",
            r"certify",
        ),
        frozenset({"checkbox", "checkboxes"}),
        noun=False,
        unless=MARKETING,
    ),
)
# Profile values.
PROFILE_RULES = (
    _r("resume", r"resume|\bcv\b|curriculum", FILES),
    _r("cover_letter", r"cover", FILES),
    _r("preferred_name", r"preferred (first )?name|nick ?name|goes by|known as", TEXTISH),
    _r(
        "first_name",
        r"\b(first|given|fore) ?name\b|^first$|^given$|prenom",
        TEXTISH,
        unless=r"last|family|preferred|school|referr|company",
    ),
    _r("last_name", r"\b(last|family|sur) ?name\b|^surname$|^last$", TEXTISH, unless=r"first|referr|school|company"),
    _r(
        "full_name",
        (
            r"^(your |full |legal |candidate s |applicant s |complete )?(full )?name$",
            r"\bfull name\b",
            r"first and last name",
            r"name \(first and last\)",
            r"^name and surname$",
        ),
        TEXTISH,
    ),
    _r("pronouns", r"pronoun", TEXTISH),
    _r("email", r"e ?mail", TEXTISH, unless=r"referr|manager|recruiter|reference"),
    _r(
        "phone_country",
        r"(country|dial(ling)?|calling) code|phone.*country|country.*phone",
        TEXTISH,
        unless=r"(phone|mobile) number .*(with|including)|number \(?(with|including)",
    ),
    _r("phone_type", r"(phone|device|number) type", TEXTISH),
    _r("phone_extension", r"extension|\bext\b", TEXTISH),
    _r("phone", r"phone|mobile|telephone|\bcell\b|^tel$", TEXTISH, unless=r"referr|reference"),
    _r("linkedin_url", r"linked ?in", TEXTISH),
    _r("github_url", r"git ?hub", TEXTISH),
    _r("twitter_url", r"twitter|\bx com\b", TEXTISH),
    _r(
        "portfolio_url",
        (r"portfolio", r"personal (web ?site|site|page|url)", r"^web ?site$", r"website url", r"^blog$", r"^url$"),
        TEXTISH,
    ),
    _r("address_line2", r"address (line )?2|apartment|suite|\bapt\b", TEXTISH),
    _r(
        "address_line1",
        (r"^(street )?address( line)?( 1)?$", r"street address", r"address line 1", r"^street$"),
        TEXTISH,
    ),
    _r("postal_code", r"\bzip\b|postal|post ?code|zip ?code", TEXTISH),
    _r("city", r"^city$|^town$|^city town$|city of residence", TEXTISH),
    _r("region", r"^state$|province|^region$|^county$|state province|state region", TEXTISH),
    _r("country", (r"^country$", r"^country( or| )region$", r"country of residence", r"^country region$"), TEXTISH),
    _r(
        "location",
        (
            r"location",
            r"where are you (currently )?(based|located)",
            r"current city",
            r"city.*(state|country)",
            r"where do you live",
            r"place of residence",
        ),
        TEXTISH,
        unless=r"prefer|office|willing|relocat|job location|work location",
    ),
    _r(
        "current_company",
        (
            r"current (company|employer)",
            r"^(company|employer|organi[sz]ation)$",
            r"most recent (company|employer)",
            r"^current or (most )?recent (company|employer)$",
            r"^org$",
        ),
        TEXTISH,
    ),
    _r(
        "current_title",
        (r"current (job )?(title|role|position)", r"^(job )?title$", r"most recent (job )?title", r"headline"),
        TEXTISH,
    ),
    _r(
        "work_current",
        (
            r"currently (work|employed)",
            r"i (still )?work here",
            r"(this is )?my current (job|role|position|employer)",
            r"^current( (job|role|position))?$",
            r"^present$",
        ),
        frozenset({"checkbox"}),
    ),
    _r(
        "work_description",
        r"role description|job description|responsibilit|describe (your|the) role|^description$",
        frozenset({"textarea"}),
    ),
    _r("school", r"school|university|college|institution", TEXTISH),
    _r("degree", r"^degree|degree (type|level)$|highest (level of )?education|^degree$", TEXTISH),
    _r("field_of_study", r"discipline|field of study|major|area of study", TEXTISH),
    _r("education_start_year", r"start (date )?year", TEXTISH),
    _r("education_end_year", r"end (date )?year|graduation year", TEXTISH),
    _r("education_start_month", r"start (date )?month", TEXTISH),
    _r("education_end_month", r"end (date )?month", TEXTISH),
)
# A field of a job's row (Workday's "workExperience-1--location"): its location is the job's, not the user's.
IN_WORK_ROW = re.compile(r"work ?experience|employment|work ?history", re.I)  # not "jobs": LinkedIn ids have it
WORK_ROW_KEYS = {"location": "work_location", "city": "work_location"}


def _fire(rule: Rule, text: str, widget: str, closed: bool) -> bool:
    if rule.widgets and widget not in rule.widgets:
        return False
    if rule.noun and closed:
        return False
    if rule.unless is not None and rule.unless.search(text):
        return False
    return rule.pattern.search(text) is not None


def first_key(rules: tuple[Rule, ...], text: str, widget: str) -> str:
    folded = fold(text)
    closed = QUESTION.search(folded) is not None
    return next((r.key for r in rules if _fire(r, folded, widget, closed)), "")


def topic_of(question: str) -> str:
    """The screening topic of a question's words ("" for none): how answer-bank entries are typed."""
    return first_key(EEO_RULES + TOPIC_RULES, question, "text")


def classify(record: FieldRecord, hint_key: str = "") -> str:
    """The profile key or topic a field asks for, "" when nothing says."""
    key = _classify(record, hint_key)
    in_row = IN_WORK_ROW.search(" ".join((record.id or "", record.name or "", record.group_label)))
    if in_row:
        return WORK_ROW_KEYS.get(key, key)
    return "" if key == "work_description" else key  # the description of which job? none is said


def _classify(record: FieldRecord, hint_key: str) -> str:
    if hint_key:
        return hint_key
    by_auto = AUTOCOMPLETE.get(record.autocomplete.strip().lower().split(" ")[-1], "")
    if by_auto:
        return by_auto
    dated = date_key(record)
    if dated:
        return dated
    widget = record.widget
    # The label first; then the group and section for generic labels ("Please check one of the boxes").
    for text in (record.label, record.aria_label, record.group_label, record.placeholder):
        if text:
            key = first_key(EEO_RULES, text, widget) or first_key(TOPIC_RULES + PROFILE_RULES, text, widget)
            if key:
                return key
    for text in (record.section, " ".join(o.label for o in record.options)):
        key = first_key(EEO_RULES, text, widget)
        if key:
            return key
    return ""


# The HTML autocomplete tokens (the page's own word for what a field holds).
AUTOCOMPLETE = {
    "given-name": "first_name",
    "family-name": "last_name",
    "name": "full_name",
    "email": "email",
    "tel": "phone",
    "tel-national": "phone",
    "nickname": "preferred_name",
    "organization": "current_company",
    "organization-title": "current_title",
    "address-line1": "address_line1",
    "street-address": "address_line1",
    "address-line2": "address_line2",
    "address-level2": "city",
    "address-level1": "region",
    "postal-code": "postal_code",
    "country-name": "country",
    "country": "country",
    "url": "portfolio_url",
    "tel-country-code": "phone_country",
}
