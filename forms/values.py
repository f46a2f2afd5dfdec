"""The profile's value for each profile key, as the user wrote it. Pure."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from contracts.profile import Profile
from forms.countries import by_iso, by_name, split_phone


def _location_part(profile: Profile, index: int) -> str | None:
    parts = [p.strip() for p in (profile.location or "").split(",") if p.strip()]
    if not parts:
        return None
    if index == -1 and len(parts) < 2:
        return None
    return parts[index] if -len(parts) <= index < len(parts) else None


def _address(profile: Profile, part: str) -> str | None:
    return getattr(profile.address, part, None) if profile.address else None


def _region(profile: Profile) -> str | None:
    three_parts = len((profile.location or "").split(",")) >= 3  # "City, Region, Country"
    return _address(profile, "region") or (_location_part(profile, 1) if three_parts else None)


def home_country(profile: Profile) -> str | None:
    """The user's country name: the address, the phone's country, else the last part of the location."""
    named = _address(profile, "country") or _location_part(profile, -1)
    if named:
        return named
    iso = by_iso(profile.phone_country) if profile.phone_country else None
    return iso.name if iso else None


def phone_country_name(profile: Profile) -> str | None:
    country, _ = split_phone(profile.phone or "", profile.phone_country)
    if country is None:
        home = by_name(home_country(profile) or "")
        return home.name if home else None
    return country.name


def national_phone(profile: Profile) -> str | None:
    if not profile.phone:
        return None
    return split_phone(profile.phone, profile.phone_country)[1]


def _education(profile: Profile, attr: str) -> str | None:
    if not profile.education:
        return None
    value = getattr(profile.education[0], attr, None)
    return str(value) if value else None


def _job(profile: Profile, attr: str) -> str | None:
    """The most recent job's value (work history lists the most recent first)."""
    if not profile.work_history:
        return None
    value = getattr(profile.work_history[0], attr, None)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value) if value else None


def _years(profile: Profile) -> str | None:
    y = profile.years_of_experience
    if y is None:
        return None
    return str(int(y)) if float(y).is_integer() else str(y)


PROFILE_VALUES: dict[str, Callable[[Profile], str | None]] = {
    "first_name": lambda p: p.first_name,
    "last_name": lambda p: p.last_name,
    "full_name": lambda p: p.full_name,
    "preferred_name": lambda p: p.preferred_name,
    "pronouns": lambda p: p.pronouns,
    "email": lambda p: p.email,
    "phone": lambda p: p.phone,
    "phone_national": national_phone,
    "phone_country": phone_country_name,
    "phone_type": lambda p: p.phone_type,
    "location": lambda p: p.location,
    "city": lambda p: _address(p, "city") or _location_part(p, 0),
    "region": _region,
    "country": home_country,
    "postal_code": lambda p: _address(p, "postal_code"),
    "address_line1": lambda p: _address(p, "line1"),
    "address_line2": lambda p: _address(p, "line2"),
    "linkedin_url": lambda p: p.linkedin_url,
    "github_url": lambda p: p.github_url,
    "portfolio_url": lambda p: p.portfolio_url,
    "current_company": lambda p: p.current_company or _job(p, "company"),
    "current_title": lambda p: p.current_title or _job(p, "title"),
    "resume": lambda p: p.resume,
    "cover_letter": lambda p: p.cover_letter,
    "years_of_experience": _years,
    "school": lambda p: _education(p, "school"),
    "degree": lambda p: _education(p, "degree"),
    "field_of_study": lambda p: _education(p, "field_of_study"),
    "work_location": lambda p: _job(p, "location"),
    "work_current": lambda p: _job(p, "current"),
    "work_description": lambda p: _job(p, "description"),
}


# Dates are the profile's own ("YYYY", "YYYY-MM", "YYYY-MM-DD"), shaped to the field when decided:
# each key names whose date, which end, and which part ("work_start_month"; "" for the whole date).
def _dates() -> dict[str, Callable[[Profile], str | None]]:
    found: dict[str, Callable[[Profile], str | None]] = {}
    for end in ("start", "end"):
        for which in ("", "_month", "_year", "_day"):
            found[f"education_{end}{which}"] = partial(_education, attr=end)
            found[f"work_{end}{which}"] = partial(_job, attr=end)
    return found


PROFILE_VALUES.update(_dates())
