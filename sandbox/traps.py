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


def traps_for(seed: int, site: str, index: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{site}:{index}:traps")
    traps: dict[str, Any] = {
        "invisible_captcha": _invisible(site, index),
        "visible_captcha": VISIBLE_CAPTCHA.get(site, "before_submit"),
    }
    low, high = LATE_RENDER.get(site, (0, 0))
    traps["render_delay_ms"] = rng.randrange(low, high + 1, 50) if high else 0
    return traps
