"""Which of the real sites' traps each job has: seeded per job, so every run shows the same ones.

The traps are listed per job in the admin API (`traps`), so tests and benchmarks can pick jobs with
and without each one. They come from their own random stream: adding a trap never moves a job's ids.
"""

import random
from typing import Any

# What the real pages load whatever the job: Greenhouse reCAPTCHA Enterprise on every posting, Ashby
# reCAPTCHA v3, Lever invisible hCaptcha on most postings (four of six in one survey).
INVISIBLE_CAPTCHA = {"greenhouse": "recaptcha-enterprise", "ashby": "recaptcha-v3", "lever": "hcaptcha"}
# Where the visible challenge shows when the captcha flag is on: Lever escalates after the submit
# click, the others show the widget in the form before submit.
VISIBLE_CAPTCHA = {"lever": "after_submit"}
# Pages that build or wire their form by script, after a delay that varies per job (milliseconds).
LATE_RENDER = {"greenhouse": (150, 900), "ashby": (300, 1200), "workday": (200, 1000)}


def _invisible(site: str, index: int) -> str:
    kind = INVISIBLE_CAPTCHA.get(site, "")
    if site == "lever" and index % 3 == 0:
        return ""
    return kind


# Workday tenants differ: the first of each platform's three tenants keeps the legacy ids
# (legalNameSection_*, data-automation-id on every control), the others the current ones
# (name--legalName--firstName as element ids); the third has no Self Identify step.
WORKDAY_TENANTS = (
    {"workday_ids": "legacy", "self_identify": True},
    {"workday_ids": "current", "self_identify": True},
    {"workday_ids": "current", "self_identify": False},
)


# (legacy data-automation-id, current element id) of the My Information fields, by what they ask.
WORKDAY_IDS = {
    "country": ("countryDropdown", "country--country"),
    "source": ("sourceDropdown", "source--source"),
    "first": ("legalNameSection_firstName", "name--legalName--firstName"),
    "last": ("legalNameSection_lastName", "name--legalName--lastName"),
    "line1": ("addressSection_addressLine1", "address--addressLine1"),
    "city": ("addressSection_city", "address--city"),
    "region": ("addressSection_countryRegion", "address--countryRegion"),
    "postal": ("addressSection_postalCode", "address--postalCode"),
    "phone_type": ("phone-device-type", "phoneNumber--phoneType"),
    "phone": ("phone-number", "phoneNumber--phoneNumber"),
}


def workday_ids(traps: dict[str, Any]) -> dict[str, str]:
    """The My Information field names of a Workday job's id generation ({} for other platforms)."""
    if "workday_ids" not in traps:
        return {}
    current = traps["workday_ids"] == "current"
    return {key: pair[1] if current else pair[0] for key, pair in WORKDAY_IDS.items()}


def _workday(rng: random.Random, index: int) -> dict[str, Any]:
    return dict(WORKDAY_TENANTS[index % 3]) | {"question_pages": rng.choice((1, 2)), "honeypot": "website"}


GREENHOUSE_EMBEDDED = (8, 10)  # jobs whose board sends you to the company's page, the form in an iframe


def _greenhouse(rng: random.Random, index: int) -> dict[str, Any]:
    return {
        "eeoc": rng.random() < 0.4,  # the classic EEOC block besides the demographic questions
        "gdpr": rng.random() < 0.35,  # a required data-processing consent
        "embedded": index in GREENHOUSE_EMBEDDED,
    }


LINKEDIN_EXTERNAL = (5, 9)  # jobs whose button is "Apply" and sends you to the company's own site


def traps_for(seed: int, site: str, index: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{site}:{index}:traps")
    traps: dict[str, Any] = {
        "invisible_captcha": _invisible(site, index),
        "visible_captcha": VISIBLE_CAPTCHA.get(site, "before_submit"),
    }
    low, high = LATE_RENDER.get(site, (0, 0))
    traps["render_delay_ms"] = rng.randrange(low, high + 1, 50) if high else 0
    if site == "workday":
        traps |= _workday(rng, index)
    if site == "greenhouse":
        traps |= _greenhouse(rng, index)
    if site == "linkedin":
        traps["external_apply"] = index in LINKEDIN_EXTERNAL
    return traps
