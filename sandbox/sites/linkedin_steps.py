"""LinkedIn Easy Apply modal steps, as HTML fragments the page script swaps into the dialog.

Field names are LinkedIn form-element URNs; DOM ids are derived from them as on the real site, so
both differ per job.
"""

import re
from collections.abc import Mapping, Sequence

from sandbox import countries
from sandbox.html import captcha_widget, esc
from sandbox.jobs import Job, Question

FieldValues = Mapping[str, str | list[str]]
TITLES = {
    "contact": "Contact info",
    "resume": "Resume",
    "questions-1": "Additional Questions",
    "questions-2": "Work authorization",
    "review": "Review your application",
}
PHONE_COUNTRIES = countries.dial_labels("linkedin", full=True)
SELECT_PROMPT = "Select an option"


def phone_countries(member_country: str) -> tuple[str, ...]:
    """The full list, with the member's own country first, as LinkedIn shows it."""
    first = tuple(c for c in PHONE_COUNTRIES if c.startswith(f"{member_country} (+"))
    return first + PHONE_COUNTRIES


def steps(job: Job) -> list[str]:
    questions = ["questions-1", "questions-2"] if "two_steps" in job.layout else ["questions-1"]
    return ["contact", "resume", *questions, "review"]


def step_questions(job: Job, step: str) -> list[Question]:
    if "two_steps" not in job.layout:
        return list(job.questions) if step == "questions-1" else []
    half = (len(job.questions) + 1) // 2
    parts = {"questions-1": job.questions[:half], "questions-2": job.questions[half:]}
    return list(parts.get(step, ()))


COMPONENTS = (
    "text-entity-list-form-component",
    "single-line-text-form-component",
    "radio-button-form-component",
    "multiline-text-form-component",
    "checkbox-form-component",
    "single-typeahead-entity-form-component",
    "date-picker-form-component",
)
TYPEAHEAD = "/linkedin/api/typeahead"
CHOICE = "resumeChoice"  # which earlier resume card is selected; the record holds the file itself
FIXED_IDS = {  # controls whose DOM id is fixed, and the name LinkedIn's payload gives their value
    "jobs-document-upload-file-input-upload-resume": "resume",
    "jobs-document-upload-file-input-upload-cover-letter": "coverLetter",
    "follow-company-checkbox": "followCompany",
    "jobs-document-upload-resume-cards": CHOICE,
}


def names_by_dom_id(job: Job) -> dict[str, str]:
    """The inputs carry no names: the page posts DOM ids, and this maps them back to the URNs."""
    urns = [job.ids[k] for k in ("email", "phone_country", "phone")] + [q.qid for q in job.questions]
    return {dom_id(c, urn): urn for c in COMPONENTS for urn in urns} | FIXED_IDS


def dom_id(component: str, urn: str) -> str:
    dashed = re.sub(r"[:_,~]", "-", urn).replace("(", "").replace(")", "")
    return f"{component}-formElement-{dashed}"


def _value(values: FieldValues, name: str) -> str:
    raw = values.get(name, "")
    return raw if isinstance(raw, str) else ", ".join(raw)


def _error(fid: str, message: str) -> str:
    inner = (
        f'<div class="artdeco-inline-feedback artdeco-inline-feedback--error" role="alert">'
        f'<span class="artdeco-inline-feedback__message">{esc(message)}</span></div>'
        if message
        else ""
    )
    return f'<div id="{fid}-error">{inner}</div>'


def _group(inner: str) -> str:
    return (
        f'<div class="jobs-easy-apply-form-section__grouping"><div class="fb-dash-form-element '
        f'jobs-easy-apply-form-element mt4" data-test-form-element>{inner}</div></div>'
    )


def select(name: str, label: str, options: tuple[str, ...], values: FieldValues, error: str) -> str:
    fid = dom_id("text-entity-list-form-component", name)
    chosen = _value(values, name)
    opts = "".join(
        f'<option value="{esc(o)}"{" selected" if o == chosen else ""}>{esc(o)}</option>'
        for o in (SELECT_PROMPT, *options)
    )
    return _group(
        f'<div data-test-text-entity-list-form-component><label for="{fid}" class="fb-dash-form-element__label '
        f'fb-dash-form-element__label-title--is-required" data-test-text-entity-list-form-title>'
        f'<span aria-hidden="true">{esc(label)}</span><span class="visually-hidden">{esc(label)}</span></label>'
        '<span class="visually-hidden" data-test-text-entity-list-form-required>Required</span>'
        f'<select id="{fid}" aria-describedby="{fid}-error" aria-required="true" required'
        f" data-test-text-entity-list-form-select>{opts}</select></div>{_error(fid, error)}"
    )


def text(name: str, label: str, kind: str, values: FieldValues, error: str) -> str:
    fid = dom_id("single-line-text-form-component", name)
    return _group(
        '<div data-test-single-line-text-form-component><div class="artdeco-text-input '
        'artdeco-text-input--state-required"><div class="artdeco-text-input--container">'
        f'<label for="{fid}" class="artdeco-text-input--label">{esc(label)}</label>'
        f'<input class="artdeco-text-input--input" id="{fid}" required'
        f' aria-describedby="{fid}-error" type="{kind}" value="{esc(_value(values, name))}"></div></div></div>'
        + _error(fid, error)
    )


def radios(q: Question, values: FieldValues, error: str) -> str:
    fid = dom_id("radio-button-form-component", q.qid)
    chosen = _value(values, q.qid)
    options = "".join(
        f'<div class="fb-text-selectable__option display-flex" data-test-text-selectable-option="{n}">'
        f'<input type="radio" id="{fid}-{esc(o)}" value="{esc(o)}"'
        f' class="fb-form-element__checkbox"{" checked" if o == chosen else ""}>'
        f'<label for="{fid}-{esc(o)}" data-test-text-selectable-option__label="{esc(o)}" class="t-14">{esc(o)}</label>'
        "</div>"
        for n, o in enumerate(q.options)
    )
    return _group(
        f'<fieldset data-test-form-builder-radio-button-form-component="true" id="{fid}"'
        f' aria-describedby="{fid}-error"><legend class="fb-dash-form-element__label">'
        '<span class="fb-dash-form-element__label-title--is-required">'
        f'<span aria-hidden="true">{esc(q.label)}</span><span class="visually-hidden">{esc(q.label)}</span></span>'
        f"</legend>{options}</fieldset>{_error(fid, error)}"
    )


def _textarea(q: Question, values: FieldValues, error: str) -> str:
    fid = dom_id("multiline-text-form-component", q.qid)
    return _group(
        f'<div data-test-multiline-text-form-component><label for="{fid}" class="fb-dash-form-element__label">'
        f'{esc(q.label)}</label><textarea id="{fid}" class="artdeco-text-input--input fb-dash-form-element__textarea"'
        f' rows="4" aria-describedby="{fid}-error">{esc(_value(values, q.qid))}</textarea></div>' + _error(fid, error)
    )


def _checkbox(q: Question, values: FieldValues, error: str) -> str:
    fid = dom_id("checkbox-form-component", q.qid)
    checked = " checked" if _value(values, q.qid) else ""
    return _group(
        f'<fieldset data-test-checkbox-form-component="true" aria-describedby="{fid}-error">'
        '<legend class="fb-dash-form-element__label visually-hidden">Consent</legend>'
        f'<div class="fb-text-selectable__option"><input type="checkbox" id="{fid}" value="Yes"{checked}'
        f' class="fb-form-element__checkbox"><label for="{fid}" class="t-14">{esc(q.label)}</label></div>'
        f"</fieldset>{_error(fid, error)}"
    )


def _typeahead(q: Question, values: FieldValues, error: str) -> str:
    fid = dom_id("single-typeahead-entity-form-component", q.qid)
    return _group(
        '<div data-test-single-typeahead-entity-form-component class="search-basic-typeahead">'
        f'<label for="{fid}" class="fb-dash-form-element__label">{esc(q.label)}</label>'
        f'<input id="{fid}" role="combobox" aria-autocomplete="list" aria-expanded="false" type="text"'
        f' autocomplete="off" class="artdeco-text-input--input" data-typeahead="{TYPEAHEAD}"'
        f' data-chosen="{esc(_value(values, q.qid))}"'
        f' value="{esc(_value(values, q.qid))}" aria-describedby="{fid}-error">'
        '<div class="basic-typeahead__triggered-content" role="listbox" hidden></div></div>' + _error(fid, error)
    )


def _date(q: Question, values: FieldValues, error: str) -> str:
    fid = dom_id("date-picker-form-component", q.qid)
    return _group(
        f'<div data-test-date-picker-form-component class="artdeco-datepicker"><label for="{fid}"'
        f' class="fb-dash-form-element__label">{esc(q.label)}</label><input id="{fid}" type="text"'
        f' class="artdeco-datepicker__input" placeholder="mm/dd/yyyy" value="{esc(_value(values, q.qid))}"'
        f' aria-describedby="{fid}-error"></div>' + _error(fid, error)
    )


def question(q: Question, values: FieldValues, error: str) -> str:
    if q.kind == "yesno":
        return radios(q, values, error)
    if q.kind in ("number", "text"):
        return text(q.qid, q.label, "text", values, error)
    kinds = {"textarea": _textarea, "checkbox": _checkbox, "location": _typeahead, "date": _date}
    if q.kind in kinds:
        return kinds[q.kind](q, values, error)
    return select(q.qid, q.label, q.options, values, error)


def contact(
    job: Job, member: Mapping[str, str], emails: list[str], values: FieldValues, errors: Mapping[str, str]
) -> str:
    ids = job.ids
    lockup = (
        '<div class="artdeco-entity-lockup"><div class="artdeco-entity-lockup__title">'
        f'{esc(member.get("name", ""))}</div><div class="artdeco-entity-lockup__subtitle">LinkedIn member'
        "</div></div>"
        if member
        else ""
    )
    email = (
        select(ids["email"], "Email address", tuple(emails), values, errors.get(ids["email"], ""))
        if emails
        else text(ids["email"], "Email address", "email", values, errors.get(ids["email"], ""))
    )
    return (
        lockup
        + email
        + select(
            ids["phone_country"],
            "Phone country code",
            phone_countries(member.get("country", "")),
            values,
            errors.get(ids["phone_country"], ""),
        )
        + text(ids["phone"], "Mobile phone number", "text", values, errors.get(ids["phone"], ""))
    )


def _card(n: int, filename: str, used: str, selected: bool) -> str:
    modifier = " jobs-document-upload-redesign-card__container--selected" if selected else ""
    return (
        f'<div class="jobs-document-upload-redesign-card__container{modifier}">'
        f'<input type="radio" id="resume-card-{n}" value="{n}"{" checked" if selected else ""}'
        ' class="jobs-document-upload-redesign-card__toggle-input">'
        f'<label for="resume-card-{n}"><h3 class="jobs-document-upload-redesign-card__file-name">{esc(filename)}</h3>'
        f'<p class="jobs-document-upload-redesign-card__last-used">{esc(used)}</p></label></div>'
    )


def cards(uploaded: str, earlier: list[tuple[str, str]], chosen: int) -> str:
    """Earlier resumes as cards, the latest (or the one chosen) selected; an upload shows on top, selected."""
    top = _card(-1, uploaded, "Uploaded just now", True) if uploaded else ""
    rest = "".join(_card(n, name, used, not uploaded and n == chosen) for n, (name, used) in enumerate(earlier))
    return (
        '<fieldset id="jobs-document-upload-resume-cards" class="jobs-document-upload-redesign-card">'
        f'<legend class="visually-hidden">Select a resume</legend>{top}{rest}</fieldset>'
    )


def resume(uploaded: str, error: str, earlier: Sequence[tuple[str, str]] = (), chosen: int = 0) -> str:
    card = cards(uploaded, list(earlier), chosen)
    return (
        '<p class="t-14">Be sure to include an updated resume<span class="t-black--light">*</span></p>'
        f'{card}<div class="js-jobs-document-upload__container">'
        '<label for="jobs-document-upload-file-input-upload-resume" class="jobs-document-upload__upload-button'
        ' artdeco-button artdeco-button--secondary" role="button" tabindex="0"><span>Upload resume</span></label>'
        '<input id="jobs-document-upload-file-input-upload-resume" type="file" class="hidden"'
        ' accept=".doc,.docx,.pdf"><span class="jobs-document-upload__chosen"></span>'
        '<p class="t-12 t-black--light">DOC, DOCX, PDF (5 MB)</p></div>'
        + _error("jobs-document-upload-file-input-upload-resume", error)
        + '<h3 class="t-16 mt4">Cover letter</h3><div class="js-jobs-document-upload__container">'
        '<label for="jobs-document-upload-file-input-upload-cover-letter" class="jobs-document-upload__upload-button'
        ' artdeco-button artdeco-button--secondary" role="button" tabindex="0"><span>Upload cover letter</span></label>'
        '<input id="jobs-document-upload-file-input-upload-cover-letter" type="file"'
        ' class="hidden" accept=".doc,.docx,.pdf"><span class="jobs-document-upload__chosen"></span></div>'
    )


def review(job: Job, answers: list[tuple[str, str]], captcha: bool, error: str) -> str:
    rows = "".join(
        f'<div class="jobs-easy-apply-review__row"><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>' for k, v in answers
    )
    widget = captcha_widget("g") + _error("captcha", error) if captcha else _error("captcha", error)
    return (
        '<p class="t-14">The employer will also receive a copy of your profile.</p>'
        f'<dl class="jobs-easy-apply-review">{rows}</dl>{widget}'
        '<div class="job-details-easy-apply-footer__section"><input type="checkbox" id="follow-company-checkbox"'
        ' value="true" checked><label for="follow-company-checkbox">'
        f"Follow {esc(job.company)} to stay up to date with their page.</label></div>"
    )


def _button(step: str, order: list[str]) -> str:
    position = order.index(step)
    if step == "review":
        aria, text, attr = "Submit application", "Submit application", "data-live-test-easy-apply-submit-button"
    elif order[position + 1] == "review":
        aria, text, attr = "Review your application", "Review", "data-live-test-easy-apply-review-button"
    else:
        aria, text, attr = "Continue to next step", "Next", "data-easy-apply-next-button"
    back = (
        '<button aria-label="Back to previous step" class="artdeco-button artdeco-button--2'
        ' artdeco-button--secondary" data-easy-apply-back-button type="button"'
        f' data-target-step="{order[position - 1]}"><span class="artdeco-button__text">Back</span></button>'
        if position
        else ""
    )
    return (
        f'{back}<button aria-label="{aria}" class="artdeco-button artdeco-button--2 artdeco-button--primary"'
        f' {attr} data-step-submit type="button"><span class="artdeco-button__text">{text}</span></button>'
    )


def frame(job: Job, step: str, body: str, banner: str = "") -> str:
    order = steps(job)
    percent = round(100 * order.index(step) / len(order))
    note = f"Your job application progress is at {percent} percent."
    alert = (
        f'<div class="artdeco-inline-feedback artdeco-inline-feedback--error" role="alert">'
        f'<span class="artdeco-inline-feedback__message">{esc(banner)}</span></div>'
        if banner
        else ""
    )
    return (
        f'<div class="jobs-easy-apply-content" tabindex="-1" aria-label="{note}" role="region">'
        '<div class="display-flex ph5 pv2"><div class="artdeco-completeness-meter-linear">'
        f'<progress max="100" value="{percent}" class="artdeco-completeness-meter-linear__progress-element">'
        f'</progress></div><span class="pl3 t-14" aria-label="{note}" role="note">{percent}%</span></div>'
        f'<form data-step="{step}" enctype="multipart/form-data"><div class="ph5"><div class="pb4">'
        f'<h3 class="t-16 t-bold">{esc(TITLES[step])}</h3>{alert}{body}</div></div>'
        '<footer role="presentation"><div class="jobs-easy-apply-footer__info"><p class="t-12 t-black--light">'
        "Submitting this application won\u2019t change your LinkedIn profile.</p></div>"
        f'<div class="display-flex justify-flex-end ph5 pv4">{_button(step, order)}</div></footer></form></div>'
    )


def sent(job: Job) -> str:
    return (
        '<div class="jobs-easy-apply-content jpac-modal" role="region"><div class="jpac-modal-header">'
        '<h2 id="post-apply-modal" class="t-20">Application sent</h2></div><div class="ph5 pv4">'
        f'<h3 class="t-bold">Your application was sent to {esc(job.company)}!</h3>'
        '<p class="t-14">You can keep track of your application in the "Applied" tab of My Jobs.</p></div>'
        '<footer class="display-flex justify-flex-end ph5 pv4"><button class="artdeco-button artdeco-button--2'
        ' artdeco-button--primary" data-test-dialog-primary-btn type="button" aria-label="Done">'
        '<span class="artdeco-button__text">Done</span></button></footer></div>'
    )
