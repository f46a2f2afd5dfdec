"""Workday candidate pages: the fields of each application step and their markup.

Inputs are found by data-automation-id, as on real tenants; their ids ("input-12") differ per job.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox import countries, pools
from sandbox.html import esc
from sandbox.jobs import Job

STEPS = ("my-information", "my-experience", "application-questions", "voluntary-disclosures", "self-identify", "review")
STEP_TITLES = dict(
    zip(
        STEPS,
        (
            "My Information",
            "My Experience",
            "Application Questions",
            "Voluntary Disclosures",
            "Self Identify",
            "Review",
        ),
        strict=True,
    )
)
COUNTRIES = tuple("United States of America" if c == "United States" else c for c in countries.country_names())
DISABILITY = (
    "Yes, I have a disability, or have had one in the past",
    "No, I do not have a disability and have not had one in the past",
    "I do not want to answer",
)


@dataclass(frozen=True)
class Field:
    name: str  # the data-automation-id, which the page script posts it as (inputs have no name)
    label: str
    kind: str  # text | tel | textarea | dropdown | radio | checkbox | checkboxes | file | date
    required: bool
    options: tuple[str, ...] = ()


DISCLOSURES = (
    Field("gender", "Gender", "dropdown", False, ("Male", "Female", "Decline to Self Identify")),
    Field(
        "ethnicityDropdown",
        "Ethnicity",
        "dropdown",
        False,
        (
            "Hispanic or Latino",
            "White (Not Hispanic or Latino)",
            "Asian (Not Hispanic or Latino)",
            "Black or African American (Not Hispanic or Latino)",
            "Two or More Races (Not Hispanic or Latino)",
            "I do not wish to answer",
        ),
    ),
    Field(
        "veteranStatus",
        "Veteran Status",
        "dropdown",
        False,
        (
            "I am not a protected veteran",
            "I identify as one or more of the classifications of protected veteran",
            "I do not wish to self-identify",
        ),
    ),
    Field("agreementCheckbox", "I have read and consent to the terms and conditions", "checkbox", True),
)
SELF_IDENTIFY = (
    Field("name", "Name", "text", True),
    Field("dateSection", "Date", "date", True),
    Field("disabilityStatus", "Please check one of the boxes below", "checkboxes", True, DISABILITY),
)


def _my_information(job: Job) -> list[Field]:
    return [
        Field("countryDropdown", "Country", "dropdown", True, COUNTRIES),
        Field("sourceDropdown", "How Did You Hear About Us?", "dropdown", True, pools.HEAR_ABOUT),
        Field(
            "candidateIsPreviousWorker", f"Have you previously worked for {job.company}?", "radio", True, ("Yes", "No")
        ),
        Field("legalNameSection_firstName", "First Name", "text", True),
        Field("legalNameSection_lastName", "Last Name", "text", True),
        Field("addressSection_addressLine1", "Address Line 1", "text", True),
        Field("addressSection_city", "City", "text", True),
        Field("addressSection_countryRegion", "State", "dropdown", True, countries.US_STATES),
        Field("addressSection_postalCode", "Postal Code", "text", True),
        Field("phone-device-type", "Phone Device Type", "dropdown", True, ("Mobile", "Home", "Work")),
        Field("phone-number", "Phone Number", "tel", True),
    ]


def _questions(job: Job) -> list[Field]:
    kinds = {"yesno": "dropdown", "select": "dropdown", "multi": "checkboxes", "textarea": "textarea"}
    return [Field(q.qid, q.label, kinds.get(q.kind, "text"), q.required, q.options) for q in job.questions]


def step_fields(job: Job, step: str) -> list[Field]:
    if step == "my-information":
        return _my_information(job)
    if step == "my-experience":
        return [
            Field("file-upload-input-ref", "Resume/CV", "file", True),
            Field("linkedinQuestion", "LinkedIn Profile", "text", False),
        ]
    if step == "application-questions":
        return _questions(job)
    if step == "voluntary-disclosures":
        return list(DISCLOSURES)
    if step == "self-identify":
        return list(SELF_IDENTIFY)
    return []


class Ids:
    """Hands out the generic "input-N" ids, starting at a per-job offset as tenants differ."""

    def __init__(self, job: Job) -> None:
        self.n = int(job.ids.get("suffix", "1"))

    def next(self) -> str:
        self.n += 1
        return f"input-{self.n}"


def _label(fid: str, field: Field, tag: str = "label") -> str:
    mark = '<abbr class="wd-required" title="required">*</abbr>' if field.required else ""
    target = f' for="{fid}"' if tag == "label" else ""
    return f'<{tag} id="label-{fid}" class="wd-label"{target}>{esc(field.label)}{mark}</{tag}>'


def _dropdown(fid: str, field: Field, value: str) -> str:
    return (
        f'{_label(fid, field)}<button type="button" id="{fid}" class="wd-dropdown" aria-haspopup="listbox"'
        f' data-automation-id="{esc(field.name)}" data-options="{esc(field.name)}" value="{esc(value)}"'
        f' aria-labelledby="label-{fid} {fid}">{esc(value or "Select One")}</button>'
    )


def _choices(fid: str, field: Field, chosen: list[str], kind: str) -> str:
    boxes = "".join(
        f'<label class="wd-choice"><input type="{kind}" id="{fid}-{n}" value="{esc(o)}"'
        f"{' checked' if o in chosen else ''}> {esc(o)}</label>"
        for n, o in enumerate(field.options)
    )
    return (
        f'<fieldset class="wd-fieldset" data-automation-id="{esc(field.name)}">'
        f"{_label(fid, field, 'legend')}{boxes}</fieldset>"
    )


def _file(fid: str, field: Field, uploaded: str) -> str:
    done = (
        f'<div data-automation-id="file-upload-item"><span data-automation-id="file-upload-item-name">'
        f'{esc(uploaded)}</span> <span data-automation-id="file-upload-successful">Successfully Uploaded!</span>'
        "</div>"
        if uploaded
        else ""
    )
    return (
        f'<div data-automation-id="resumeUploadSection">{_label(fid, field, "h3")}'
        '<div data-automation-id="file-upload-drop-zone" class="wd-dropzone"><span>Drop file here</span>'
        '<span>or</span><button type="button" data-automation-id="select-files">Select files</button>'
        f'<input type="file" id="{fid}" data-automation-id="file-upload-input-ref"'
        f' accept=".pdf,.doc,.docx,.rtf,.txt" class="wd-file-input"></div>{done}</div>'
    )


def _date(ids: Ids, field: Field, values: Mapping[str, str]) -> str:
    parts = "".join(
        f'<input type="text" id="{ids.next()}" data-automation-id="{part}-input"'
        f' placeholder="{ph}" aria-label="{label}" value="{esc(values.get(part + "-input", ""))}" class="wd-date">'
        for part, ph, label in (
            ("dateSectionMonth", "MM", "Month"),
            ("dateSectionDay", "DD", "Day"),
            ("dateSectionYear", "YYYY", "Year"),
        )
    )
    return f'{_label("date", field, "span")}<div data-automation-id="dateInputWrapper" class="wd-dates">{parts}</div>'


def field_html(ids: Ids, field: Field, values: Mapping[str, str | list[str]], error: str, uploaded: str) -> str:
    fid = ids.next()
    raw = values.get(field.name, "")
    value = raw if isinstance(raw, str) else ", ".join(raw)
    chosen = [raw] if isinstance(raw, str) else list(raw)
    if field.kind == "dropdown":
        inner = _dropdown(fid, field, value)
    elif field.kind in ("radio", "checkboxes"):
        inner = _choices(fid, field, chosen, "radio" if field.kind == "radio" else "checkbox")
    elif field.kind == "checkbox":
        inner = (
            f'<label class="wd-choice"><input type="checkbox" id="{fid}" data-automation-id="{field.name}"'
            f' value="Yes"{" checked" if value else ""}> {esc(field.label)}'
            '<abbr class="wd-required" title="required">*</abbr></label>'
        )
    elif field.kind == "file":
        inner = _file(fid, field, uploaded)
    elif field.kind == "date":
        inner = _date(ids, field, {k: v for k, v in values.items() if isinstance(v, str)})
    elif field.kind == "textarea":
        inner = (
            f'{_label(fid, field)}<textarea id="{fid}" data-automation-id="{esc(field.name)}"'
            f' class="wd-input">{esc(value)}</textarea>'
        )
    else:
        inner = (
            f'{_label(fid, field)}<input type="{"tel" if field.kind == "tel" else "text"}" id="{fid}"'
            f' data-automation-id="{esc(field.name)}" value="{esc(value)}"'
            f' class="wd-input" aria-required="{str(field.required).lower()}">'
        )
    problem = f'<p class="wd-error" data-automation-id="inputError" role="alert">{esc(error)}</p>' if error else ""
    return f'<div class="wd-field" data-automation-id="formField-{esc(field.name)}">{inner}{problem}</div>'


def progress(step: str) -> str:
    current = STEPS.index(step)

    def state(n: int) -> str:
        return "ActiveStep" if n == current else "CompletedStep" if n < current else "InactiveStep"

    items = "".join(
        f'<li data-automation-id="progressBar{state(n)}" class="wd-progress-step">'
        f"<span>{esc(STEP_TITLES[s])}</span></li>"
        for n, s in enumerate(STEPS)
    )
    return f'<ol data-automation-id="progressBar" class="wd-progress">{items}</ol>'


def error_banner(errors: Mapping[str, str]) -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li><button type="button" data-automation-id="errorMessage">Error: {esc(m)}</button></li>'
        for m in errors.values()
    )
    return (
        f'<div data-automation-id="errorBanner" class="wd-error-banner" role="alert">'
        f'<span class="wd-error-count">Errors Found</span><ul>{items}</ul></div>'
    )
