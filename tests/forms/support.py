"""Records read from the real captures (tests/forms/records/*.json), a made-up profile, a record builder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autoapply.profile_file import parse
from contracts.profile import Profile
from forms.platforms import Platform, by_name
from forms.records import FieldRecord, Option

RECORDS = Path(__file__).parent / "records"
PLATFORM_OF = {
    "greenhouse_sonatus": "greenhouse",
    "teamtailor_harper": "teamtailor",
    "breezyhr_demo": "breezyhr",
    "linkedin_easy_apply_step1": "linkedin",
}

PROFILE_YAML = """
first_name: Maren
last_name: Okafor-Lindqvist
email: maren.ol@example.org
phone: "+1 415 555 0134"
phone_country: US
location: Oakland, California, United States
linkedin_url: https://www.linkedin.com/in/maren-ol-example
github_url: https://github.com/maren-ol-example
current_company: Northwind Analytics
current_title: Senior Data Engineer
years_of_experience: 8
resume: Maren_Resume.pdf
answers:
  "Are you legally authorized to work in the United States?": "Yes"
  "Will you now or in the future require sponsorship for employment visa status?": "No"
  "Are you at least 18 years of age?": "Yes"
"""


def profile(extra: str = "") -> Profile:
    return parse(PROFILE_YAML + extra, "test profile")


def capture(name: str) -> tuple[list[FieldRecord], Platform]:
    raw = json.loads((RECORDS / f"{name}.json").read_text(encoding="utf-8"))
    return [FieldRecord.from_js(r, r.get("frame", 0)) for r in raw["records"]], by_name(PLATFORM_OF[name])


def record(label: str, widget: str = "text", options: tuple[str, ...] = (), **extra: Any) -> FieldRecord:
    opts = tuple(Option(label=o, value=o) for o in options)
    return FieldRecord(handle="1", selector="#q", widget=widget, label=label, options=opts, **extra)  # type: ignore[arg-type]
