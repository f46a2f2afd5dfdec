"""Deciding for a whole page: which records are questions, and each question's resolution. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from contracts.profile import Profile
from forms.platforms import Platform
from forms.records import FieldRecord, Resolution
from forms.resolve import Context, key_of, resolve
from forms.rows import for_row, ranks, section_of


def _main_form(records: Sequence[FieldRecord]) -> str:
    """The form with the most questions: a login, search or newsletter form beside it is not the application."""
    counts = Counter(r.form for r in records if r.form and not r.noise)
    return counts.most_common(1)[0][0] if counts else ""


def noise_of(record: FieldRecord, platform: Platform, main_form: str) -> str:
    """Why a record is not a question for this application ("" when it is one)."""
    if record.noise:
        return record.noise
    if platform.skip is not None and any(platform.skip.search(h) for h in (record.id or "", record.name or "") if h):
        return "platform_machinery"
    if record.disabled:
        return "disabled"
    if not record.visible and record.widget != "file":
        return "hidden"
    if main_form and record.form and record.form != main_form:
        return "other_form"
    return ""


def questions(records: Sequence[FieldRecord], platform: Platform) -> list[FieldRecord]:
    main = _main_form(records)
    return [r for r in records if not noise_of(r, platform, main)]


def context_for(records: Sequence[FieldRecord], platform: Platform) -> Context:
    base = Context(hints=platform.hints)
    picker = any(key_of(r, base) == "phone_country" for r in records)
    return Context(hints=platform.hints, phone_picker=picker)


def decide(
    records: Sequence[FieldRecord], profile: Profile, platform: Platform
) -> list[tuple[FieldRecord, Resolution]]:
    asked = questions(records, platform)
    ctx = context_for(asked, platform)
    keys = {r.handle: key_of(r, ctx) for r in asked}
    rank = ranks(asked, keys)
    return [(r, resolve(r, _seen_from(r, profile, keys, rank), ctx)) for r in asked]


def _seen_from(record: FieldRecord, profile: Profile, keys: dict[str, str], rank: dict[str, int]) -> Profile:
    """The profile as the field's row sees it: a repeated row takes its own entry, or none."""
    if record.handle not in rank:
        return profile
    return for_row(profile, section_of(keys[record.handle]), rank[record.handle])
