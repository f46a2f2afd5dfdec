"""After Next or Submit: the page's validation errors mapped to the fields they are about, and the
value each may take instead (forms.correct). The filler writes the corrections and tries once more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from playwright.async_api import Page

from contracts.profile import Profile
from forms.correct import Correction, rewrite
from forms.decide import decide
from forms.platforms import Platform
from forms.read import read_settled
from forms.records import FieldRecord, Resolution
from forms.submit import FieldError

# The page that shows the errors is read once it is quiet; it is already drawn.
READ_S = 0.3


@dataclass(frozen=True)
class Repair:
    corrections: tuple[Correction, ...] = ()
    overrides: dict[str, str] = field(default_factory=dict)  # reader stamp -> the value to write instead


def _about(
    error: FieldError, decided: Sequence[tuple[FieldRecord, Resolution]]
) -> tuple[FieldRecord, Resolution] | None:
    """The field an error names: by the reader's stamp, else by its id or name (a page drawn anew)."""
    for record, res in decided:
        if error.field and error.field == record.handle:
            return record, res
    for record, res in decided:
        if error.name and error.name in (record.id, record.name):
            return record, res
    return None


def _source(res: Resolution, profile: Profile) -> str:
    """The value to write again: a phone from the profile's whole number (a picker's national part
    may be what the page refused), else what was resolved."""
    if res.key == "phone" and profile.phone:
        return profile.phone
    return str(res.value)


def plan_repair(
    errors: Sequence[FieldError], decided: Sequence[tuple[FieldRecord, Resolution]], profile: Profile
) -> Repair:
    corrections: list[Correction] = []
    overrides: dict[str, str] = {}
    seen: set[str] = set()
    for error in errors:  # messages come before bare aria-invalid marks: a field's first one is its message
        pair = _about(error, decided)
        if pair is None:
            if error.message != "marked invalid":
                corrections.append(Correction("", "", error.message, ""))
            continue
        record, res = pair
        if record.handle in seen:
            continue
        seen.add(record.handle)
        after = rewrite(record, res.key, _source(res, profile), error.message) if res.resolved else None
        if after is not None and after == record.value:
            after = None  # the page already holds that form of it: the message asks for something else
        corrections.append(Correction(record.label, record.selector, error.message, record.value, after or ""))
        if after:
            overrides[record.handle] = after
    return Repair(tuple(corrections), overrides)


async def repair(page: Page, profile: Profile, platform: Platform, errors: Sequence[FieldError]) -> Repair:
    decided = decide(await read_settled(page, READ_S), profile, platform)
    return plan_repair(errors, decided, profile)
