"""Greenhouse's new job-board application form (job-boards.greenhouse.io): markup and option lists.

Inputs carry ids and no names, as on the real board; greenhouse.js posts them keyed by id.
"""

from sandbox import countries, pools
from sandbox.html import captcha_widget, esc, json_script
from sandbox.jobs import Job, Question

REQUIRED_MARK = '<span aria-hidden="true">*</span>'
FILE_TYPES = ("pdf", "doc", "docx", "txt", "rtf")

EEO: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "eeo_gender": (
        "How would you describe your gender identity? (mark all that apply)",
        True,
        ("Man", "Non-binary", "Woman", "I prefer to self-describe", "I don't wish to answer"),
    ),
    "eeo_race": (
        "How would you describe your racial/ethnic background? (mark all that apply)",
        True,
        (
            "American Indian or Alaska Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "Middle Eastern or North African",
            "Native Hawaiian or Pacific Islander",
            "White",
            "I prefer to self-describe",
            "I don't wish to answer",
        ),
    ),
    "eeo_orientation": (
        "How would you describe your sexual orientation? (mark all that apply)",
        True,
        (
            "Asexual",
            "Bisexual and/or pansexual",
            "Gay",
            "Heterosexual",
            "Lesbian",
            "Queer",
            "I prefer to self-describe",
            "I don't wish to answer",
        ),
    ),
    "eeo_transgender": ("Do you identify as transgender? (select one)", False, ("Yes", "No", "I don't wish to answer")),
    "eeo_disability": (
        "Do you have a disability or chronic condition that substantially limits one or more of "
        "your major life activities? (select one)",
        False,
        ("Yes", "No", "I don't wish to answer"),
    ),
    "eeo_veteran": (
        "Are you a veteran or active member of the United States Armed Forces? (select one)",
        False,
        (
            "I am a veteran or active member of the United States Armed Forces",
            "I am not a veteran or active member of the United States Armed Forces",
            "I don't wish to answer",
        ),
    ),
}
# The classic EEOC block some boards show as well ("Voluntary Self-Identification"), with its own ids.
EEOC: dict[str, tuple[str, tuple[str, ...]]] = {
    "gender": ("Gender", ("Male", "Female", "Decline To Self Identify")),
    "hispanic_ethnicity": ("Are you Hispanic/Latino?", ("Yes", "No", "Decline To Self Identify")),
    "race": (
        "Please identify your race",
        (
            "American Indian or Alaskan Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "White",
            "Native Hawaiian or Other Pacific Islander",
            "Two or More Races",
            "Decline To Self Identify",
        ),
    ),
    "veteran_status": (
        "Veteran Status",
        (
            "I am not a protected veteran",
            "I identify as one or more of the classifications of protected veteran",
            "I don't wish to answer",
        ),
    ),
    "disability_status": (
        "Disability Status",
        (
            "Yes, I have a disability (or previously had a disability)",
            "No, I do not have a disability",
            "I do not want to answer",
        ),
    ),
}
SCHOOL_SOURCE = "/greenhouse/api/schools"  # a remote typeahead: any school can be found
GDPR_REQUIRED = "gdpr_processing_consent_given"
GDPR_OPTIONAL = "gdpr_retention_consent_given"
EDUCATION_FIELDS = ("school", "degree", "discipline", "start-month", "end-month")


def option_sets(job: Job) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {
        "country": list(countries.dial_labels("greenhouse", full=True)),
        "degree": list(pools.DEGREES),
        "discipline": list(pools.DISCIPLINES),
        "start-month": list(pools.MONTHS),
        "end-month": list(pools.MONTHS),
    }
    sets.update({q.qid: list(q.options) for q in job.questions if q.options})
    sets.update({job.ids[key]: list(opts) for key, (_, _, opts) in EEO.items()})
    if job.traps.get("eeoc"):
        sets.update({fid: list(opts) for fid, (_, opts) in EEOC.items()})
    return sets


def has_preferred_name(job: Job) -> bool:
    return job.index % 2 == 1


def location_required(job: Job) -> bool:
    return job.index % 3 != 2


def _req(required: bool) -> str:
    return REQUIRED_MARK if required else ""


def _error(fid: str) -> str:
    return f'<p id="{esc(fid)}-error" class="helper-text helper-text--error" hidden></p>'


def text_field(fid: str, label: str, required: bool, kind: str = "text", auto: str = "") -> str:
    autocomplete = f' autocomplete="{auto}"' if auto else ""
    return (
        '<div class="field-wrapper"><div class="text-input-wrapper">'
        '<div class="input-wrapper input-wrapper--outside-label">'
        f'<label id="{fid}-label" for="{fid}" class="label label--outside-label">{esc(label)}{_req(required)}</label>'
        f'<input id="{fid}" class="input input--outside-label input__single-line" aria-label="{esc(label)}"'
        f' aria-describedby="{fid}-description {fid}-error {fid}-help" aria-invalid="false"'
        f' aria-errormessage="{fid}-error" aria-required="{str(required).lower()}" type="{kind}"'
        f' maxlength="255"{autocomplete} value=""></div></div>{_error(fid)}</div>'
    )


def textarea_field(fid: str, label: str, required: bool) -> str:
    return (
        '<div class="field-wrapper"><div class="text-input-wrapper">'
        '<div class="input-wrapper input-wrapper--outside-label">'
        f'<label id="{fid}-label" for="{fid}" class="label label--outside-label">{esc(label)}{_req(required)}</label>'
        f'<textarea id="{fid}" class="input input--outside-label input__multi-line" aria-invalid="false"'
        f' aria-errormessage="{fid}-error" aria-required="{str(required).lower()}" rows="4"></textarea>'
        f"</div></div>{_error(fid)}</div>"
    )


def combobox(
    fid: str,
    label: str,
    required: bool,
    options: str,
    *,
    multi: bool = False,
    source: str = "",
    placeholder: str = "Select...",
) -> str:
    data = f' data-source="{esc(source)}"' if source else ""
    multi_cls = " select__value-container--is-multi" if multi else ""
    hidden = (
        '<input required tabindex="-1" aria-hidden="true" class="select__required-input" value="">' if required else ""
    )
    return (
        f'<div class="field-wrapper"><div class="select" data-combobox data-field="{esc(fid)}"'
        f' data-options="{esc(options)}" data-multi="{str(multi).lower()}"{data}>'
        '<div class="select__container select__container--outside-label">'
        f'<label id="{esc(fid)}-label" for="{esc(fid)}" class="label select__label select__label--outside-label">'
        f'{esc(label)}{_req(required)}</label><div class="select-shell">'
        '<div class="select__control select__control--outside-label">'
        f'<div class="select__value-container{multi_cls}">'
        f'<div class="select__placeholder" id="react-select-{esc(fid)}-placeholder">{esc(placeholder)}</div>'
        '<div class="select__input-container" data-value="">'
        f'<input class="select__input" autocapitalize="none" autocomplete="off" autocorrect="off" id="{esc(fid)}"'
        ' spellcheck="false" tabindex="0" type="text" aria-autocomplete="list" aria-expanded="false"'
        f' aria-haspopup="true" aria-errormessage="{esc(fid)}-error" aria-invalid="false"'
        f' aria-labelledby="{esc(fid)}-label" aria-required="{str(required).lower()}" role="combobox"'
        f' aria-activedescendant="" aria-describedby="react-select-{esc(fid)}-placeholder" enterkeyhint="done"'
        ' value=""></div></div><div class="select__indicators">'
        '<button type="button" class="icon-button icon-button--sm" aria-label="Toggle flyout" tabindex="-1">'
        "&#9662;</button></div></div></div>"
        f"{hidden}</div></div>{_error(fid)}</div>"
    )


def checkboxes(q: Question) -> str:
    boxes = "".join(
        f'<div class="checkbox__wrapper"><input type="checkbox" id="{q.qid}_{n}" name="{q.qid}[]"'
        f' value="{esc(opt)}" class="checkbox__input"><label for="{q.qid}_{n}">{esc(opt)}</label></div>'
        for n, opt in enumerate(q.options)
    )
    return (
        f'<div class="field-wrapper"><fieldset class="checkbox" id="{q.qid}" aria-required="{str(q.required).lower()}">'
        f'<legend class="label">{esc(q.label)}{_req(q.required)}</legend>{boxes}</fieldset>{_error(q.qid)}</div>'
    )


def file_field(fid: str, label: str, required: bool) -> str:
    mark = '<span class="required">*</span>' if required else ""
    accept = ",".join(f".{t}" for t in FILE_TYPES)
    return (
        f'<div class="field-wrapper"><div role="group" aria-labelledby="upload-label-{fid}"'
        f' aria-required="{str(required).lower()}" class="file-upload" data-allow-s3="false">'
        f'<div id="upload-label-{fid}" class="label upload-label">{esc(label)}{mark}</div>'
        '<div class="file-upload__wrapper"><div class="button-container">'
        f'<div class="secondary-button"><div><button type="button" class="btn btn--pill" data-attach="{fid}">Attach'
        f'</button><label class="visually-hidden" for="{fid}">Attach</label>'
        f'<input id="{fid}" class="visually-hidden" type="file" accept="{accept}"></div></div>'
        f'<div class="secondary-button"><button type="button" class="btn btn--pill" data-testid="{fid}-dropbox">'
        'Dropbox</button></div><div class="secondary-button"><button type="button" class="btn btn--pill">'
        'Google Drive</button></div><div class="secondary-button"><div><button type="button" class="btn btn--pill"'
        f' data-testid="{fid}-text" data-manual="{fid}">Enter manually</button>'
        f'<label class="visually-hidden" for="{fid}_text">Enter manually</label></div></div>'
        f'<p class="file-upload__filetypes">Accepted file types: {", ".join(FILE_TYPES)}</p></div>'
        f'<div class="file-upload__filename" id="{fid}-filename" hidden></div>'
        f'<div class="file-upload__manual" id="{fid}-manual"></div></div></div>{_error(fid)}</div>'
    )


def question(q: Question) -> str:
    if q.kind in ("yesno", "select"):
        return combobox(q.qid, q.label, q.required, q.qid)
    if q.kind == "multi":
        return checkboxes(q)
    if q.kind == "textarea":
        return textarea_field(q.qid, q.label, q.required)
    return text_field(q.qid, q.label, q.required)


def basics(job: Job) -> str:
    preferred = text_field("preferred_name", "Preferred First Name", False) if has_preferred_name(job) else ""
    phone = (
        '<div><fieldset class="phone-input"><legend class="visually-hidden">Phone</legend>'
        f'<div class="phone-input__country">{combobox("country", "Country", True, "country")}</div>'
        f'<div class="phone-input__phone">{text_field("phone", "Phone", True, "tel", "tel")}</div></fieldset></div>'
    )
    location = combobox(
        "candidate-location",
        "Location (City)",
        location_required(job),
        "location",
        source="/greenhouse/api/locations",
        placeholder="Start typing...",
    )
    return (
        text_field("first_name", "First Name", True, auto="given-name")
        + text_field("last_name", "Last Name", True, auto="family-name")
        + preferred
        + text_field("email", "Email", True, auto="email")
        + phone
        + location
        + file_field("resume", "Resume/CV", True)
        + file_field("cover_letter", "Cover Letter", False)
    )


def education_form(n: str) -> str:
    def month(kind: str) -> str:
        return combobox(f"{kind}-month--{n}", f"{kind.capitalize()} date month", False, f"{kind}-month")

    def year(kind: str) -> str:
        return text_field(f"{kind}-year--{n}", f"{kind.capitalize()} date year", False, "number")

    return (
        f'<div class="education--form" data-education-index="{n}"><hr><div class="education--header">'
        '<p class="body body--medium">Education</p></div>'
        + combobox(f"school--{n}", "School", False, "school", source=SCHOOL_SOURCE, placeholder="Start typing...")
        + combobox(f"degree--{n}", "Degree", False, "degree")
        + combobox(f"discipline--{n}", "Discipline", False, "discipline")
        + '<div class="education--half-width-container">'
        + f'<div class="education--date-container">{month("start")}{year("start")}</div>'
        + f'<div class="education--date-container">{month("end")}{year("end")}</div></div></div>'
    )


def education() -> str:
    return (
        f'<div class="education--container"><div class="education--forms">{education_form("0")}</div>'
        '<button class="add-another-button" type="button">Add another</button>'
        f'<template id="education-template">{education_form("__N__")}</template></div>'
    )


def demographic(job: Job) -> str:
    fields = "".join(
        combobox(job.ids[key], label, False, job.ids[key], multi=multi) for key, (label, multi, _) in EEO.items()
    )
    return (
        '<hr><div id="demographic-section" class="demographic--container">'
        '<h3 class="section-header font-primary">U.S. Standard Demographic Questions</h3>'
        '<div class="body"><div>We invite applicants to share their demographic background. If you choose to '
        "complete this survey, your responses may be used to identify areas of improvement in our hiring "
        f"process.</div></div>{fields}</div>"
    )


def eeoc() -> str:
    fields = "".join(combobox(fid, label, False, fid) for fid, (label, _) in EEOC.items())
    return (
        '<div id="eeoc_fields" class="eeoc--container"><h3 class="section-header font-primary">Voluntary'
        ' Self-Identification</h3><div class="body"><p>For government reporting purposes, we ask candidates to'
        " respond to the below self-identification survey. Completion of the form is entirely voluntary."
        f"</p></div>{fields}</div>"
    )


def _consent(fid: str, text: str, required: bool) -> str:
    return (
        f'<div class="checkbox__wrapper"><input type="checkbox" id="{fid}" name="{fid}" value="true"'
        f' class="checkbox__input" aria-required="{str(required).lower()}"><label for="{fid}">{esc(text)}'
        f"{_req(required)}</label></div>{_error(fid)}"
    )


def gdpr(company: str) -> str:
    return (
        '<div class="data-compliance"><h3 class="section-header font-primary">Data privacy</h3>'
        f'<p class="body">{esc(company)} processes the personal data you provide to review your application.</p>'
        + _consent(GDPR_REQUIRED, "I consent to the processing of my personal data for this application.", True)
        + _consent(GDPR_OPTIONAL, "Keep my data for future openings for up to two years.", False)
        + "</div>"
    )


# Drawn only when the step is due (the page adds it from the template), never there before.
SECURITY = (
    '<template id="security-code-template"><div class="security-code" id="email-verification">'
    '<p class="body">A verification code was sent to <strong class="security-code__email"></strong>. '
    "Enter the 8-character code to confirm you're a human.</p>"
    '<fieldset class="security-code__inputs"><legend class="label">Security code</legend>'
    + "".join(
        f'<input id="security-input-{n}" class="security-input" maxlength="1" autocomplete="off"'
        f' aria-label="Security code character {n + 1}" type="text">'
        for n in range(8)
    )
    + '</fieldset><p id="security-input-0-error" class="helper-text helper-text--error" hidden></p></div></template>'
)


def application_form(job: Job, captcha: bool) -> str:
    sections = {
        "questions": '<div class="application--questions"><hr>'
        + "".join(question(q) for q in job.questions)
        + "</div>",
        "education": education(),
    }
    middle = "".join(sections[name] for name in job.layout)
    widget = f'<div class="field-wrapper">{captcha_widget("g")}{_error("captcha")}</div>' if captcha else ""
    return (
        f"{json_script('sbx-options', option_sets(job))}"
        '<div class="application--error" role="alert" hidden></div>'
        '<form id="application-form" class="application--form" novalidate>'
        f'<div class="application--questions">{basics(job)}</div>{middle}{demographic(job)}'
        f"{eeoc() if job.traps.get('eeoc') else ''}{gdpr(job.company) if job.traps.get('gdpr') else ''}"
        f'{widget}<div id="security-code-slot"></div>{SECURITY}'
        '<div class="application--submit"><button type="submit" class="btn btn--pill" aria-disabled="false">'
        "Submit application</button></div></form>"
    )
