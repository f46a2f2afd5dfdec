"""What the reader sees and what the decider says: plain, frozen data with no page behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

# Where a value came from (DESIGN.md: every filled value records its provenance).
Provenance = Literal["profile", "answer_bank", "operator", "default", "llm"]
Widget = Literal[
    "text",
    "email",
    "tel",
    "number",
    "url",
    "search",
    "password",
    "textarea",
    "select",
    "multiselect",
    "radio",
    "checkbox",
    "checkboxes",
    "file",
    "date",
    "date_part",
    "combobox",
    "listbox_button",
    "listbox",  # a drawn single choice: role=radiogroup of role=radio, or a listbox shown in the page
    "buttons",
]
TEXT_WIDGETS = frozenset({"text", "email", "tel", "number", "url", "search", "password", "textarea", "date"})
CHOICE_WIDGETS = frozenset(
    {"select", "multiselect", "radio", "checkboxes", "combobox", "listbox_button", "listbox", "buttons"}
)


@dataclass(frozen=True)
class Option:
    label: str
    value: str = ""
    handle: str = ""  # the reader's stamp on the option's own element (radios, checkboxes, buttons)
    selector: str = ""


@dataclass(frozen=True)
class FieldRecord:
    """One question on the page as a person sees it (radio and checkbox groups are one record)."""

    handle: str  # data-autoapply stamp: finds the element again in its frame
    selector: str  # #id, [id="..."] or [name="..."]: what the plan shows
    widget: Widget
    label: str
    label_source: str = "none"
    id: str | None = None
    name: str | None = None
    tag: str = "input"
    type: str = ""
    aria_label: str = ""
    group_label: str = ""
    section: str = ""
    nearby: str = ""
    autocomplete: str = ""
    inputmode: str = ""  # numeric or decimal: a text box that wants a number ("whole number, like 65000")
    placeholder: str = ""
    hint: str = ""  # data-automation-id, data-qa or data-testid: where platforms name their fields
    required: bool = False
    visible: bool = True
    concealed: bool = False
    disabled: bool = False
    value: str = ""
    options: tuple[Option, ...] = ()
    checked: tuple[str, ...] = ()
    multiple: bool = False
    accept: str = ""
    in_shadow: bool = False
    tabindex: int = 0
    form: str = ""  # stamp of the <form> it belongs to ("" outside any form)
    noise: str = ""  # why this is not a question: captcha, cookie_banner, honeypot, widget_internal
    frame: int = 0  # index of the frame in the page's frame list when it was read

    @classmethod
    def from_js(cls, raw: dict[str, Any], frame: int) -> FieldRecord:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        known["options"] = tuple(
            Option(**{k: str(v or "") for k, v in o.items() if k in Option.__dataclass_fields__})
            for o in raw.get("options") or ()
        )
        known["checked"] = tuple(str(c) for c in raw.get("checked") or ())
        for key in ("label", "value", "aria_label", "group_label", "section", "nearby", "placeholder", "hint"):
            known[key] = str(known.get(key) or "")
        known["frame"] = frame
        return cls(**known)

    @property
    def text(self) -> str:
        """Everything that says what the field asks, for classification."""
        return " ".join(t for t in (self.label, self.aria_label, self.group_label, self.placeholder) if t)


@dataclass(frozen=True)
class Resolution:
    """The decider's answer for one field: a value with its provenance, or why there is none."""

    value: str | None
    provenance: Provenance | None = None
    key: str = ""  # the profile key or question topic the field was classified to
    reason: str = ""  # set when value is None
    choice: str = ""  # for choice widgets: the option picked, when the options were known
    values: tuple[str, ...] = ()  # several options (checkbox groups, multi-selects)
    exact: bool = False  # the page refused another form of this value: it must show these very characters

    @property
    def resolved(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Challenge:
    """Something that stops the form until someone acts: a named outcome."""

    kind: Literal["captcha", "email_code", "email_link", "login_wall", "closed", "already_applied", "external_apply"]
    detail: str = ""


@dataclass(frozen=True)
class PagePlan:
    platform: str
    fields: tuple[tuple[FieldRecord, Resolution], ...] = ()
    challenges: tuple[Challenge, ...] = ()
    url: str = ""
    notes: tuple[str, ...] = field(default=())


# The seam where the agent answers what the profile left open (provenance llm): it gets the page's
# decisions and returns them with some unresolved ones answered. None leaves them for a person.
Draft = Callable[[list[tuple[FieldRecord, Resolution]]], Awaitable[list[tuple[FieldRecord, Resolution]]]]
