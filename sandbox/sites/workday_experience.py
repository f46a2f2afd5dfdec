"""My Experience's repeatable sections (work history, education, languages, websites) behind Add
buttons: their markup, which posted keys belong to them, and their checks."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sandbox import places, pools
from sandbox.html import esc
from sandbox.sites.workday_widgets import date_inputs, prompt

LANGUAGES = ("English", "French", "German", "Hindi", "Japanese", "Mandarin", "Portuguese", "Spanish")
PROFICIENCY = ("Beginner", "Intermediate", "Advanced", "Fluent", "Native")
KEY_RE = re.compile(r"^(workExperience|education|language|webAddress)-(\d{1,2})--([A-Za-z]+)(?:-dateSection\w+)?")
PANEL_RE = re.compile(r"^(workExperience|education|language|webAddress)-(\d{1,2})--")
MAX_PANELS = 20  # more than anyone lists; bounds what a post can make the server keep
CURRENT, END = "currentlyWorkHere", "endDate"  # ticking the one takes the other away


@dataclass(frozen=True)
class Part:
    suffix: str
    label: str
    kind: str  # text | textarea | checkbox | dropdown | prompt | school | month_year | year
    required: bool = False
    options: tuple[str, ...] = ()


SECTIONS: dict[str, tuple[str, tuple[Part, ...]]] = {
    "workExperience": (
        "Work Experience",
        (
            Part("jobTitle", "Job Title", "text", True),
            Part("companyName", "Company", "text", True),
            Part("location", "Location", "text"),
            Part("currentlyWorkHere", "I currently work here", "checkbox"),
            Part("startDate", "From", "month_year", True),
            Part("endDate", "To", "month_year", True),
            Part("roleDescription", "Role Description", "textarea"),
        ),
    ),
    "education": (
        "Education",
        (
            Part("schoolName", "School or University", "school", True),
            Part("degree", "Degree", "dropdown", True, pools.DEGREES),
            Part("fieldOfStudy", "Field of Study", "prompt", False, pools.DISCIPLINES),
            Part("gradeAverage", "Overall Result (GPA)", "text"),
            Part("firstYearAttended", "From", "year"),
            Part("lastYearAttended", "To (Actual or Expected)", "year"),
        ),
    ),
    "language": (
        "Languages",
        (
            Part("language", "Language", "dropdown", True, LANGUAGES),
            Part("native", "I am fluent in this language.", "checkbox"),
            Part("languageProficiency", "Overall", "dropdown", False, PROFICIENCY),
        ),
    ),
    "webAddress": ("Websites", (Part("url", "URL", "text", True),)),
}
SCHOOL_SOURCE = "/workday/api/schools"


def belongs(key: str) -> bool:
    found = KEY_RE.match(key)
    return found is not None and int(found.group(2)) <= MAX_PANELS


PANELS_FIELD = "wd-panels"  # the page lists its open panels, so an added but empty one is still seen


def panels(values: Mapping[str, object], section: str) -> list[str]:
    listed = str(values.get(PANELS_FIELD, "")).split(",")
    keys = [k for k in values if k != PANELS_FIELD] + [f"{p.strip()}--" for p in listed if p.strip()]
    found = {m.group(2) for k in keys if (m := PANEL_RE.match(k)) and m.group(1) == section}
    return sorted((n for n in found if int(n) <= MAX_PANELS), key=int)


def options() -> dict[str, list[str]]:
    """Option lists for the step's data, keyed as the controls' data-options name them."""
    return {f"{s}--{p.suffix}": list(p.options) for s, (_, parts) in SECTIONS.items() for p in parts if p.options}


def _date_marks(key: str, parts: tuple[str, ...]) -> dict[str, str]:
    return {p: f'id="{key}-dateSection{p}-input" data-automation-id="dateSection{p}-input"' for p in parts}


def _control(section: str, key: str, part: Part, values: Mapping[str, object]) -> str:
    raw = values.get(key, "")
    value = raw if isinstance(raw, str) else ", ".join(str(v) for v in raw) if isinstance(raw, list) else ""
    label = f'<label class="wd-label" id="label-{key}" for="{key}">{esc(part.label)}{_mark(part)}</label>'
    if part.kind == "checkbox":
        checked = " checked" if value else ""
        box = f'<input type="checkbox" id="{key}" value="Yes"{checked}>'
        return f'<label class="wd-choice">{box} {esc(part.label)}</label>'
    if part.kind == "textarea":
        return f'{label}<textarea id="{key}" class="wd-input">{esc(value)}</textarea>'
    if part.kind == "dropdown":
        return (
            f'{label}<button type="button" id="{key}" class="wd-dropdown" aria-haspopup="listbox"'
            f' data-options="{section}--{part.suffix}" value="{esc(value)}" aria-labelledby="label-{key} {key}">'
            f"{esc(value or 'Select One')}</button>"
        )
    if part.kind in ("prompt", "school"):
        chosen = [value] if value else []
        source = SCHOOL_SOURCE if part.kind == "school" else ""
        tree = "" if source else f"{section}--{part.suffix}"
        return label + prompt(f'id="{key}"', f"label-{key}", tree, chosen, multi=False, source=source)
    if part.kind in ("month_year", "year"):
        parts = ("Month", "Year") if part.kind == "month_year" else ("Year",)
        given = {p: str(values.get(f"{key}-dateSection{p}-input", "")) for p in parts}
        legend = f'<span class="wd-label" id="label-{key}">{esc(part.label)}{_mark(part)}</span>'
        return legend + date_inputs(_date_marks(key, parts), parts, given)
    return f'{label}<input type="text" id="{key}" class="wd-input" value="{esc(value)}">'


def _mark(part: Part) -> str:
    return '<abbr class="wd-required" title="required">*</abbr>' if part.required else ""


def panel(section: str, n: str, values: Mapping[str, object], errors: Mapping[str, str]) -> str:
    title, parts = SECTIONS[section]
    fields = ""
    current = bool(values.get(f"{section}-{n}--{CURRENT}"))
    for part in parts:
        key = f"{section}-{n}--{part.suffix}"
        problem = errors.get(key, "")
        alert = f'<p class="wd-error" data-automation-id="inputError" role="alert">{esc(problem)}</p>'
        alert = alert if problem else ""
        hidden = " hidden" if part.suffix == END and current else ""
        fields += (
            f'<div class="wd-field" data-automation-id="formField-{part.suffix}"{hidden}>'
            f"{_control(section, key, part, values)}{alert}</div>"
        )
    return (
        f'<div class="wd-panel" role="group" data-automation-id="{section}-{n}" aria-labelledby="{section}-{n}-panel">'
        f'<h4 id="{section}-{n}-panel">{esc(title)} {n}</h4><button type="button" class="wd-secondary"'
        f' data-automation-id="panel-set-delete-button" aria-label="Delete {esc(title)} {n}">Delete</button>'
        f"{fields}</div>"
    )


def sections(values: Mapping[str, object], errors: Mapping[str, str]) -> str:
    out = ""
    for section, (title, _) in SECTIONS.items():
        shown = panels(values, section)
        heading = f"{title.replace(' ', '-')}-section"
        out += (
            f'<div class="wd-section" role="group" aria-labelledby="{heading}" data-section="{section}">'
            f'<h3 id="{heading}">{esc(title)}</h3><div class="wd-panels">'
            + "".join(panel(section, n, values, errors) for n in shown)
            + f'</div><button type="button" class="wd-secondary" data-automation-id="Add" aria-label="Add {esc(title)}"'
            f' data-add-section="{section}">{"Add Another" if shown else "Add"}</button>'
            f'<template data-section-template="{section}">{panel(section, "__N__", {}, {})}</template></div>'
        )
    return out


def _date_error(text: str, part: str) -> bool:
    _, _, low, high, digits = {"Month": (0, 0, 1, 12, 2), "Year": (0, 0, 1900, 2100, 4)}[part]
    return not (text.isdigit() and len(text) <= digits and low <= int(text) <= high)


def _part_error(key: str, part: Part, values: Mapping[str, str]) -> str | None:
    if part.kind in ("month_year", "year"):
        parts = ("Month", "Year") if part.kind == "month_year" else ("Year",)
        given = {p: values.get(f"{key}-dateSection{p}-input", "") for p in parts}
        if not any(given.values()):
            return f"The field {part.label} is required and must have a value." if part.required else None
        return "Enter a valid date." if any(_date_error(v, p) for p, v in given.items()) else None
    value = values.get(key, "")
    if not value:
        return f"The field {part.label} is required and must have a value." if part.required else None
    if part.options and value not in part.options:
        return f"The value entered for {part.label} is not valid."
    if part.kind == "school" and not places.school_ok(value):
        return "Enter the name of your school."
    return None


def _as_asked(section: str, n: str, part: Part, values: Mapping[str, str]) -> Part:
    """A job's end is required until "I currently work here" is ticked, which takes the field away."""
    if section == "workExperience" and part.suffix == END:
        return replace(part, required=not values.get(f"{section}-{n}--{CURRENT}"))
    return part


def errors(values: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for section, (_, parts) in SECTIONS.items():
        for n in panels(values, section):
            for part in parts:
                key = f"{section}-{n}--{part.suffix}"
                if (problem := _part_error(key, _as_asked(section, n, part, values), values)) is not None:
                    found[key] = problem
    return found
