"""The job catalog: many jobs per platform, generated from a seed so every run shows the same ones.

Each job varies the things a template would otherwise hard-code: custom question ids, which questions
are asked and in what order, option order, and section layout.
"""

import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox import pools
from sandbox.flags import JobFlags
from sandbox.traps import traps_for, workday_ids

SITES = ("greenhouse", "lever", "ashby", "workday", "linkedin", "careers")
JOBS_PER_SITE = 14  # 12 plain jobs, then one with a CAPTCHA and one closed
CAPTCHA_INDEX = 12
CLOSED_INDEX = 13
WORKDAY_SITE = "External"  # the career-site name in Workday URLs


@dataclass(frozen=True)
class Question:
    qid: str  # the platform's field id or name
    key: str  # what it asks, for tests and benchmarks; never rendered
    label: str
    kind: str  # text | textarea | yesno | select | multi | number; LinkedIn also checkbox | location | date
    required: bool
    options: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.qid,
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
            "options": list(self.options),
        }


@dataclass(frozen=True)
class Job:
    site: str
    index: int
    job_id: str
    org: str  # board token, Lever/Ashby company, Workday tenant, careers company slug
    company: str
    title: str
    department: str
    skill: str
    location: str
    salary: tuple[int, int]
    opener: str
    responsibilities: tuple[str, ...]
    qualifications: tuple[str, ...]
    questions: tuple[Question, ...]
    layout: tuple[str, ...]  # section order, platform-specific names
    ids: dict[str, str] = field(default_factory=dict)  # system field ids that vary per job
    defaults: JobFlags = field(default_factory=JobFlags)
    traps: dict[str, Any] = field(default_factory=dict)  # see sandbox/traps.py

    @property
    def path(self) -> str:
        return job_path(self)

    def as_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "job_id": self.job_id,
            "org": self.org,
            "company": self.company,
            "title": self.title,
            "department": self.department,
            "location": self.location,
            "url": self.path,
            "layout": list(self.layout),
            "ids": dict(self.ids),
            "questions": [q.as_json() for q in self.questions],
            "traps": dict(self.traps),
        }


def slugify(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def job_path(job: Job) -> str:
    if job.site == "greenhouse":
        return f"/greenhouse/{job.org}/jobs/{job.job_id}"
    if job.site in ("lever", "ashby"):
        return f"/{job.site}/{job.org}/{job.job_id}"
    if job.site == "workday":
        loc = slugify(job.location)
        return f"/workday/{job.org}/{WORKDAY_SITE}/job/{loc}/{slugify(job.title)}_{job.job_id}"
    if job.site == "linkedin":
        return f"/linkedin/jobs/view/{job.job_id}/"
    return f"/careers/jobs/{job.job_id}"


def country_city(location: str) -> tuple[str, str]:
    if location.startswith("Remote - US"):
        return "the United States", "San Francisco"
    if location.startswith("Remote"):
        return "the European Union", "Amsterdam"
    city, _, rest = location.partition(", ")
    country = "the United States" if len(rest) == 2 else rest
    return country, city


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _job_id(rng: random.Random, site: str, title: str) -> str:
    if site == "greenhouse":
        return f"{rng.randrange(4_000_000, 8_000_000)}007"
    if site in ("lever", "ashby"):
        return _uuid(rng)
    if site == "workday":
        return f"JR{rng.randrange(10**6):07d}"
    if site == "linkedin":
        return str(rng.randrange(3_900_000_000, 4_100_000_000))
    return f"{slugify(title).lower()}-{rng.randrange(1000, 9999)}"


def _question_id(rng: random.Random, site: str, job_id: str, n: int, card: str, kind: str) -> str:
    if site == "greenhouse":
        return f"question_{rng.randrange(10_000_000, 40_000_000)}007"
    if site == "lever":
        return f"cards[{card}][field{n}]"
    if site == "ashby":
        return _uuid(rng)
    if site == "workday":
        return f"primaryQuestionnaire--{rng.getrandbits(128):032x}"
    if site == "linkedin":
        form_type = "numeric" if kind == "number" else "multipleChoice"
        return f"urn:li:jobs_applyformcommon_easyApplyFormElement:({job_id},{rng.randrange(10**8, 10**9)},{form_type})"
    return f"q-{rng.getrandbits(24):06x}"


# Which question keys each platform draws from; the first few are always asked.
_PICKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "greenhouse": (
        ("linkedin", "hear_about", "work_auth"),
        ("sponsorship", "referral", "onsite", "why", "skills", "experience", "website"),
    ),
    "lever": (("work_auth", "sponsorship"), ("hear_about", "experience", "why", "skills", "relocate", "notice")),
    "ashby": (("work_auth",), ("sponsorship", "relocate", "why", "years_skill", "hear_about", "skills")),
    "workday": (("work_auth", "sponsorship"), ("over18", "relocate", "notice", "experience", "why")),
    "linkedin": (("years_skill", "work_auth"), ("sponsorship", "onsite", "experience", "relocate", "notice")),
    "careers": (("work_auth",), ("notice", "why", "salary")),
}
_UNORDERED = {"hear_about", "skills"}  # option lists whose order is arbitrary, so it varies per job


def _questions(rng: random.Random, site: str, job_id: str, fill: dict[str, str]) -> tuple[Question, ...]:
    always, maybe = _PICKS[site]
    keys = list(always) + rng.sample(maybe, rng.randint(2, min(4, len(maybe))))
    rng.shuffle(keys)
    card = _uuid(rng)
    out = []
    for n, key in enumerate(keys):
        label, kind, options, required = pools.QUESTIONS[key]
        opts = list(options)
        if key in _UNORDERED:
            rng.shuffle(opts)
        qid = _question_id(rng, site, job_id, n, card, kind)
        out.append(Question(qid, key, label.format(**fill), kind, required, tuple(opts)))
    return tuple(out)


# LinkedIn's other question kinds, drawn from their own stream so the earlier questions stay put.
_LINKEDIN_EXTRA = (
    ("current_title", "What is your current job title?", "text", True),
    ("project", "Tell us about a project you are proud of.", "textarea", False),
    ("privacy", "I agree to the privacy policy of {company}.", "checkbox", True),
    ("current_location", "Where are you currently located?", "location", True),
    ("start_date", "When can you start?", "date", True),
)


def _extra_questions(seed: int, site: str, index: int, job_id: str, company: str) -> tuple[Question, ...]:
    if site != "linkedin":
        return ()
    rng = random.Random(f"{seed}:{site}:{index}:extra")
    picked = rng.sample(_LINKEDIN_EXTRA, rng.randint(2, 3))
    urn = "urn:li:jobs_applyformcommon_easyApplyFormElement"
    ids = [f"{urn}:({job_id},{rng.randrange(10**8, 10**9)},{kind})" for _, _, kind, _ in picked]
    return tuple(
        Question(qid, key, label.format(company=company), kind, req)
        for qid, (key, label, kind, req) in zip(ids, picked, strict=True)
    )


def _layout(rng: random.Random, site: str) -> tuple[str, ...]:
    choices: dict[str, list[tuple[str, ...]]] = {
        "greenhouse": [("education", "questions"), ("questions", "education"), ("questions",)],
        "lever": [("links", "cards"), ("cards", "links")],
        "ashby": [("location", "phone"), ("phone", "location"), ("location",)],
        "workday": [("questions",)],
        "linkedin": [("one_step",), ("two_steps",)],
        "careers": [
            ("about", "eligibility", "documents"),
            ("documents", "about", "eligibility"),
            ("eligibility", "documents", "about"),
        ],
    }
    return rng.choice(choices[site])


def _system_ids(rng: random.Random, site: str, job_id: str) -> dict[str, str]:
    if site == "greenhouse":
        base = rng.randrange(4_000_000, 4_100_000)
        keys = ("eeo_gender", "eeo_race", "eeo_veteran", "eeo_disability", "eeo_orientation", "eeo_transgender")
        return {k: f"{base + i}007" for i, k in enumerate(keys)}
    if site == "linkedin":
        urn = "urn:li:jobs_applyformcommon_easyApplyFormElement"
        elem = rng.randrange(10**8, 10**9)
        return {
            "email": f"{urn}:({job_id},{elem},multipleChoice)",
            "phone_country": f"{urn}:({job_id},{elem + 8},phoneNumber~country)",
            "phone": f"{urn}:({job_id},{elem + 8},phoneNumber~nationalNumber)",
        }
    if site in ("workday", "careers"):
        return {"suffix": str(rng.randrange(1, 60))}
    return {}


def _defaults(site: str, index: int) -> JobFlags:
    return JobFlags(
        captcha=index == CAPTCHA_INDEX,
        closed=index == CLOSED_INDEX,
        email_verify=site == "workday" or (site == "greenhouse" and index == 11),
        login_wall=site == "linkedin",
    )


def _make_job(seed: int, site: str, index: int) -> Job:
    rng = random.Random(f"{seed}:{site}:{index}")
    company, org = pools.COMPANIES[_company_slot(site, index)]
    title, department, skill = rng.choice(pools.TITLES)
    location = rng.choice(pools.JOB_LOCATIONS)
    job_id = _job_id(rng, site, title)
    country, city = country_city(location)
    fill = {"company": company, "country": country, "city": city, "skill": skill}
    low = rng.randrange(90, 180) * 1000
    traps = traps_for(seed, site, index)
    return Job(
        site=site,
        index=index,
        job_id=job_id,
        org=org,
        company=company,
        title=title,
        department=department,
        skill=skill,
        location=location,
        salary=(low, low + rng.randrange(20, 80) * 1000),
        opener=rng.choice(pools.DESCRIPTION_OPENERS).format(company=company, title=title),
        responsibilities=tuple(rng.sample(pools.RESPONSIBILITIES, 4)),
        qualifications=tuple(q.format(skill=skill) for q in rng.sample(pools.QUALIFICATIONS, 3)),
        questions=_questions(rng, site, job_id, fill) + _extra_questions(seed, site, index, job_id, company),
        layout=_layout(rng, site),
        ids=_system_ids(rng, site, job_id) | workday_ids(traps),
        defaults=_defaults(site, index),
        traps=traps,
    )


def _company_slot(site: str, index: int) -> int:
    if site == "careers":
        return len(pools.COMPANIES) - 1
    return SITES.index(site) * 3 + index % 3


class Catalog:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._jobs = {s: [_make_job(seed, s, i) for i in range(JOBS_PER_SITE)] for s in SITES}
        self._by_id = {(j.site, j.job_id): j for jobs in self._jobs.values() for j in jobs}

    def site(self, site: str) -> list[Job]:
        return list(self._jobs.get(site, []))

    def get(self, site: str, job_id: str) -> Job | None:
        return self._by_id.get((site, job_id))

    def org(self, site: str, org: str) -> list[Job]:
        return [j for j in self._jobs.get(site, []) if j.org == org]

    def all(self) -> list[Job]:
        return [j for s in SITES for j in self._jobs[s]]
