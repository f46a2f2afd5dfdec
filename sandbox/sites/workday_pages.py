"""Workday candidate pages: the markup of each application step.

Legacy tenants mark their controls with data-automation-id and give them generic ids ("input-12",
offset per job); current tenants give them meaningful ids (name--legalName--firstName) instead.
"""

from collections.abc import Mapping

from sandbox.html import esc
from sandbox.jobs import Job
from sandbox.sites.workday_fields import Field, steps, title
from sandbox.sites.workday_widgets import date_inputs, prompt


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


def _marks(fid: str, field: Field) -> str:
    """The control's id and automation id: legacy tenants mark it, current ones name it by id."""
    if field.by_id:
        return f'id="{esc(field.name)}"'
    return f'id="{fid}" data-automation-id="{esc(field.name)}"'


def _dropdown(fid: str, field: Field, value: str) -> str:
    cid = field.name if field.by_id else fid
    source = (
        f'data-options-by="{esc(field.depends)}"' if field.kind == "region" else f'data-options="{esc(field.name)}"'
    )
    return (
        f'{_label(cid, field)}<button type="button" {_marks(fid, field)} class="wd-dropdown" aria-haspopup="listbox"'
        f' {source} value="{esc(value)}"'
        f' aria-labelledby="label-{cid} {cid}">{esc(value or "Select One")}</button>'
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
    parts = ("Month", "Day", "Year")
    marks = {p: f'id="{ids.next()}" data-automation-id="dateSection{p}-input"' for p in parts}
    given = {p: values.get(f"dateSection{p}-input", "") for p in parts}
    return _label("date", field, "span") + date_inputs(marks, parts, given)


def _prompt(fid: str, field: Field, chosen: list[str]) -> str:
    cid = field.name if field.by_id else fid
    return _label(cid, field) + prompt(_marks(fid, field), f"label-{cid}", "source", chosen, multi=True)


def field_html(ids: Ids, field: Field, values: Mapping[str, str | list[str]], error: str, uploaded: str) -> str:
    fid = ids.next()
    raw = values.get(field.name, "")
    value = raw if isinstance(raw, str) else ", ".join(raw)
    chosen = [raw] if isinstance(raw, str) else list(raw)
    if field.kind in ("dropdown", "region"):
        inner = _dropdown(fid, field, value)
    elif field.kind == "prompt":
        inner = _prompt(fid, field, [c for c in chosen if c])
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
            f"{_label(field.name if field.by_id else fid, field)}"
            f'<input type="{"tel" if field.kind == "tel" else "text"}" {_marks(fid, field)} value="{esc(value)}"'
            f' class="wd-input" aria-required="{str(field.required).lower()}">'
        )
    problem = f'<p class="wd-error" data-automation-id="inputError" role="alert">{esc(error)}</p>' if error else ""
    return f'<div class="wd-field" data-automation-id="formField-{esc(field.wrapper)}">{inner}{problem}</div>'


def progress(job: Job, step: str) -> str:
    shown = steps(job)
    current = shown.index(step)

    def state(n: int) -> str:
        return "ActiveStep" if n == current else "CompletedStep" if n < current else "InactiveStep"

    items = "".join(
        f'<li data-automation-id="progressBar{state(n)}" class="wd-progress-step">'
        f"<span>{esc(title(job, s))}</span></li>"
        for n, s in enumerate(shown)
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
