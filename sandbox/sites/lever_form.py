"""Lever's hosted application form (jobs.lever.co/<company>/<posting>/apply): a classic HTML form post.

On a server-side error the form comes back with the typed values and the errors beside the fields;
files have to be attached again, as with any re-rendered form.
"""

import json

from sandbox.html import esc
from sandbox.invisible import hcaptcha_widget
from sandbox.jobs import Job, Question
from sandbox.uploads import Received

REQUIRED_MARK = '<span class="required">&#10033;</span>'
LINKS = (
    ("LinkedIn", "LinkedIn URL"),
    ("GitHub", "GitHub URL"),
    ("Portfolio", "Portfolio URL"),
    ("Twitter", "Twitter URL"),
    ("Other", "Other website"),
)
EEO = {
    "eeo[gender]": ("Gender", ("Male", "Female", "Decline to self-identify")),
    "eeo[race]": (
        "Race",
        (
            "American Indian or Alaska Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "White",
            "Native Hawaiian or Other Pacific Islander",
            "Two or More Races",
            "Decline to self-identify",
        ),
    ),
    "eeo[veteran]": ("Veteran status", ("I am a veteran", "I am not a veteran", "Decline to self-identify")),
}


class FormState:
    """Typed values and errors to show again after a refused submit."""

    def __init__(self, received: Received | None = None, errors: dict[str, str] | None = None) -> None:
        self.received = received or Received()
        self.errors = errors or {}

    def value(self, name: str) -> str:
        return esc(self.received.text(name))

    def chosen(self, name: str, option: str) -> bool:
        return option in self.received.values(name)

    def error(self, name: str) -> str:
        message = self.errors.get(name)
        return f'<div class="application-error-message" role="alert">{esc(message)}</div>' if message else ""


def _label(text: str, required: bool) -> str:
    return f'<div class="application-label">{esc(text)}{REQUIRED_MARK if required else ""}</div>'


def text_question(
    name: str, label: str, qa: str, state: FormState, *, required: bool = False, kind: str = "text"
) -> str:
    return (
        f'<li class="application-question"><label>{_label(label, required)}<div class="application-field">'
        f'<input type="{kind}" name="{esc(name)}" data-qa="{qa}" value="{state.value(name)}"'
        f"{' required' if required else ''}></div></label>{state.error(name)}</li>"
    )


def resume_question(state: FormState) -> str:
    return (
        f'<li class="application-question resume"><label>{_label("Resume/CV", True)}'
        '<div class="application-field file-input"><a class="template-btn-utility visible-resume-upload"'
        ' data-qa="input-resume-button"><span class="default-label">ATTACH RESUME/CV</span>'
        '<span class="filename"></span></a>'
        '<input type="file" class="application-file-input invisible-resume-upload" id="resume-upload-input"'
        ' name="resume" data-qa="input-resume" accept=".pdf,.doc,.docx,.txt,.rtf,.odt">'
        '<span class="resume-upload-parsing" hidden>Parsing resume...</span>'
        '<span class="resume-upload-success" hidden>Success!</span></div></label>'
        f"{state.error('resume')}</li>"
    )


def location_question(state: FormState) -> str:
    return (
        f'<li class="application-question location-question"><label>{_label("Current location", True)}'
        '<div class="application-field"><input type="text" name="location" id="location-input"'
        f' data-qa="location-input" autocomplete="off" value="{state.value("location")}" required>'
        '<input type="hidden" name="selectedLocation" id="selected-location"'
        f' value="{state.value("selectedLocation")}">'
        '<div class="dropdown-container location-dropdown" hidden><div class="dropdown-results" role="listbox">'
        f"</div></div></div></label>{state.error('location')}</li>"
    )


def _choices(q: Question, state: FormState, kind: str, qa: str) -> str:
    items = "".join(
        f'<li><label><input type="{kind}" name="{esc(q.qid)}" value="{esc(opt)}"'
        f'{" checked" if state.chosen(q.qid, opt) else ""}><span class="application-answer-alternative">'
        f"{esc(opt)}</span></label></li>"
        for opt in q.options
    )
    return f'<ul data-qa="{qa}">{items}</ul>'


def _dropdown(q: Question, state: FormState) -> str:
    opts = "".join(
        f'<option value="{esc(o)}"{" selected" if state.chosen(q.qid, o) else ""}>{esc(o)}</option>' for o in q.options
    )
    return f'<select name="{esc(q.qid)}" class="card-field-input"><option value="">Select...</option>{opts}</select>'


def _card_field(q: Question, state: FormState) -> str:
    if q.kind == "yesno":
        return _choices(q, state, "radio", "multiple-choice")
    if q.kind == "multi":
        return _choices(q, state, "checkbox", "checkboxes")
    if q.kind == "select":
        return _dropdown(q, state)
    if q.kind == "textarea":
        return f'<textarea class="card-field-input" name="{esc(q.qid)}">{state.value(q.qid)}</textarea>'
    return f'<input type="text" class="card-field-input" name="{esc(q.qid)}" value="{state.value(q.qid)}">'


def custom_question(q: Question, state: FormState) -> str:
    required = " required-field" if q.required else ""
    return (
        '<li class="application-question custom-question"><div class="application-label full-width">'
        f'<div class="text">{esc(q.label)}{REQUIRED_MARK if q.required else ""}</div></div>'
        f'<div class="application-field full-width{required}">{_card_field(q, state)}</div>'
        f"{state.error(q.qid)}</li>"
    )


def cards(job: Job, state: FormState) -> str:
    card_id = job.questions[0].qid.split("]")[0].removeprefix("cards[")
    template = {
        "text": "Application questions",
        "fields": [
            {"type": q.kind, "text": q.label, "required": q.required, "options": list(q.options)} for q in job.questions
        ],
    }
    return (
        '<div class="section page-centered application-form"><h4>Application questions</h4>'
        f'<input type="hidden" name="cards[{card_id}][baseTemplate]" value="{esc(json.dumps(template))}">'
        f"<ul>{''.join(custom_question(q, state) for q in job.questions)}</ul></div>"
    )


def links(job: Job, state: FormState) -> str:
    shown = LINKS[: 3 + job.index % 3]
    items = "".join(text_question(f"urls[{key}]", label, f"{key.lower()}-input", state) for key, label in shown)
    return f'<div class="section page-centered application-form"><h4>Links</h4><ul>{items}</ul></div>'


def eeo(state: FormState) -> str:
    items = ""
    for name, (label, options) in EEO.items():
        opts = "".join(f"<option{' selected' if state.chosen(name, o) else ''}>{esc(o)}</option>" for o in options)
        items += (
            f'<li class="application-question"><label>{_label(label, False)}<div class="application-field">'
            f'<select name="{name}"><option value="">Select ...</option>{opts}</select></div></label></li>'
        )
    return (
        '<div class="section page-centered application-form eeo-section"><h4>U.S. Equal Employment Opportunity '
        "information <span>(Completion is voluntary and will not subject you to adverse treatment)</span></h4>"
        "<p>Our company values diversity. To ensure that we comply with reporting requirements and to learn more "
        "about how we can increase diversity in our candidate pool, we invite you to voluntarily provide "
        f"demographic information in a confidential survey at the end of this application.</p><ul>{items}</ul></div>"
    )


def application_form(job: Job, action: str, state: FormState, hcaptcha: bool, banner: str = "") -> str:
    top = (
        '<div class="section page-centered application-form"><h4>Submit your application</h4><ul>'
        + resume_question(state)
        + text_question("name", "Full name", "name-input", state, required=True)
        + text_question("email", "Email", "email-input", state, required=True, kind="email")
        + text_question("phone", "Phone", "phone-input", state, required=True)
        + location_question(state)
        + text_question("org", "Current company", "org-input", state)
        + "</ul></div>"
    )
    sections = {"links": links(job, state), "cards": cards(job, state)}
    middle = "".join(sections[name] for name in job.layout)
    additional = (
        '<div class="section page-centered application-form"><h4>Additional information</h4>'
        '<textarea name="comments" id="additional-information" data-qa="additional-cards"'
        f' placeholder="Add a cover letter or anything else you want to share.">{state.value("comments")}'
        "</textarea></div>"
    )
    # Lever keeps the widget invisible; its challenge, when due, opens over the page after the submit click.
    widget = f'<div class="section page-centered">{hcaptcha_widget()}{state.error("captcha")}</div>' if hcaptcha else ""
    alert = f'<div class="application-error" role="alert" data-qa="error-banner">{esc(banner)}</div>' if banner else ""
    return (
        f'<form id="application-form" method="POST" action="{esc(action)}" enctype="multipart/form-data" novalidate>'
        f"{alert}{top}{middle}{additional}{eeo(state)}{widget}"
        '<div class="section page-centered last-section-apply"><button type="submit" id="btn-submit"'
        ' class="postings-btn template-btn-submit hex-color" data-qa="btn-submit">Submit application</button>'
        "</div></form>"
    )
