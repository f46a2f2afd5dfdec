"""Repeated sections (education, work history): which row a field belongs to, and the profile as
that row sees it. Pure.

A row is told by the index in its field's id or name ("school--1", "education[1][degree]",
"workExperience-2--jobTitle"); rows are ranked by that index on the page, so the first row on the
page takes the profile's first entry whatever number the platform starts counting at. A row past
the profile's entries gets nothing: an entry is never invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contracts.profile import Profile
from forms.records import FieldRecord

DATE_PARTS = ("", "_month", "_year", "_day")
EDUCATION_KEYS = frozenset(
    {"school", "degree", "field_of_study"} | {f"education_{end}{p}" for end in ("start", "end") for p in DATE_PARTS}
)
WORK_KEYS = frozenset(
    {"current_company", "current_title", "work_location", "work_current", "work_description"}
    | {f"work_{end}{p}" for end in ("start", "end") for p in DATE_PARTS}
)
# The index of a repeated row in an id or name, with the rest of it (the row's field, index removed).
INDEX = re.compile(r"(--|\[|-|_)(\d{1,2})(\]|--|$)")


def family(record: FieldRecord) -> tuple[str, int] | None:
    """(the field with its row index taken out, the index), or None for a field of no repeated row."""
    for ident in (record.id, record.name):
        found = INDEX.search(ident or "")
        if found:
            return ident[: found.start()] + "#" + ident[found.end() :], int(found.group(2))  # type: ignore[index]
    return None


def section_of(key: str) -> str:
    return "education" if key in EDUCATION_KEYS else "work" if key in WORK_KEYS else ""


def ranks(records: Sequence[FieldRecord], keys: dict[str, str]) -> dict[str, int]:
    """Each repeated-row field's rank (0 for the first row on the page), by reader stamp; `keys`
    maps a stamp to the field's profile key. Fields of one section share one ranking."""
    indexes: dict[str, set[int]] = {}
    found: dict[str, tuple[str, int]] = {}
    for record in records:
        section = section_of(keys.get(record.handle, ""))
        fam = family(record) if section else None
        if fam is not None:
            indexes.setdefault(section, set()).add(fam[1])
            found[record.handle] = (section, fam[1])
    order = {section: sorted(seen) for section, seen in indexes.items()}
    return {handle: order[section].index(index) for handle, (section, index) in found.items()}


def rows_shown(records: Sequence[FieldRecord], keys: dict[str, str], section: str) -> int:
    return len({family(r)[1] for r in records if section_of(keys.get(r.handle, "")) == section and family(r)})  # type: ignore[index]


def for_row(profile: Profile, section: str, rank: int) -> Profile:
    """The profile as row `rank` of a section sees it: that entry first, or no entry at all."""
    if section == "education":
        return profile.model_copy(update={"education": profile.education[rank : rank + 1]})
    if rank == 0 and not profile.work_history:
        return profile  # the first job row is the current one
    job = profile.work_history[rank] if rank < len(profile.work_history) else None
    return profile.model_copy(
        update={
            "current_company": job.company if job else None,
            "current_title": job.title if job else None,
            "work_history": (job,) if job else (),
        }
    )


def wanted(profile: Profile, section: str) -> int:
    return len(profile.education) if section == "education" else len(profile.work_history)
