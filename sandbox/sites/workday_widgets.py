"""Workday's searchable prompts (nested, multi-select, or asking the server as you type) and its
segmented dates, whose Month/Day/Year parts are spinbuttons."""

from collections.abc import Mapping, Sequence

from sandbox.html import esc

# "How did you hear about us?" as tenants nest it: categories that open on their sources.
SOURCE_TREE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Job Board", ("LinkedIn", "Indeed", "Glassdoor", "Built In")),
    ("Social Media", ("Twitter / X", "Facebook", "Instagram")),
    ("Referral", ("Employee Referral", "Friend or Family")),
    ("Events", ("Career Fair", "Conference or Meetup")),
    ("Company Website", ()),
    ("Other", ()),
)
SOURCE_LEAVES = tuple(leaf for name, kids in SOURCE_TREE for leaf in (kids or (name,)))
DATE_PARTS = {  # part: (placeholder, label, low, high, digits)
    "Month": ("MM", "Month", 1, 12, 2),
    "Day": ("DD", "Day", 1, 31, 2),
    "Year": ("YYYY", "Year", 1900, 2100, 4),
}


def pills(chosen: Sequence[str]) -> str:
    return "".join(
        f'<li data-automation-id="selectedItem" role="option" aria-selected="true" data-value="{esc(v)}">'
        f'<span class="wd-pill-label">{esc(v)}</span><button type="button" data-automation-id="DELETE_charm"'
        f' aria-label="Remove {esc(v)}" tabindex="-1">&times;</button></li>'
        for v in chosen
    )


def prompt(marks: str, label_id: str, tree: str, chosen: Sequence[str], *, multi: bool, source: str = "") -> str:
    """A searchable prompt: pills of what is chosen, then the search box that opens the popup.

    `tree` names the option tree in the step's option data; `source` asks the server instead.
    """
    remote = f' data-prompt-source="{esc(source)}"' if source else ""
    return (
        f'<div data-automation-id="multiSelectContainer" class="wd-prompt" data-prompt-tree="{esc(tree)}"'
        f' data-prompt-multi="{str(multi).lower()}"{remote}>'
        f'<ul data-automation-id="selectedItemList" class="wd-pills" aria-label="items selected">{pills(chosen)}</ul>'
        f'<input type="text" {marks} class="wd-prompt-search" role="combobox" aria-haspopup="listbox"'
        f' aria-expanded="false" aria-labelledby="{esc(label_id)}" placeholder="Search" autocomplete="off" value="">'
        "</div>"
    )


def date_inputs(marks: Mapping[str, str], parts: Sequence[str], values: Mapping[str, str]) -> str:
    """Spinbutton segments; `marks` gives each part its id/automation-id attributes, `values` its value."""
    out = ""
    for part in parts:
        placeholder, label, low, high, digits = DATE_PARTS[part]
        value = values.get(part, "")
        out += (
            f'<input type="text" {marks[part]} role="spinbutton" aria-label="{label}" aria-valuemin="{low}"'
            f' aria-valuemax="{high}" aria-valuenow="{esc(value)}" aria-valuetext="{esc(value or placeholder)}"'
            f' inputmode="numeric" maxlength="{digits}" placeholder="{placeholder}" value="{esc(value)}"'
            ' class="wd-date">'
        )
    return f'<div data-automation-id="dateInputWrapper" class="wd-dates">{out}</div>'


def tree_json() -> dict[str, list[list[object]]]:
    return {"source": [[name, list(kids)] for name, kids in SOURCE_TREE]}
