"""A resume's text turned into profile fields for the user to review. Pure; a best effort.

Nothing parsed here is used until the user has seen it: the answer of POST /resumes is a draft,
and only what the user puts into their profile is ever typed into a form.
"""

import re
from datetime import date
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<!\w)(\+?\d[\d\s().-]{7,}\d)(?!\w)")
URL = re.compile(r"(?:https?://)?(?:www\.)?[A-Za-z0-9.-]+\.[a-z]{2,}(?:/[^\s,;|]*)?", re.I)
LOCATION = re.compile(r"\b([A-Z][a-zA-Z .'-]+,\s*(?:[A-Z]{2}|[A-Z][a-zA-Z ]+)(?:,\s*[A-Z][a-zA-Z ]+)?)\b")
YEARS_STATED = re.compile(r"(\d{1,2})\+?\s+years?(?:\s+of)?\s+experience", re.I)
SPAN = re.compile(r"((?:19|20)\d{2})\s*(?:-|–|—|to)\s*((?:19|20)\d{2}|present|current|now)", re.I)
DEGREE = re.compile(
    r"\b(B\.?S\.?c?|B\.?A\.?|M\.?S\.?c?|M\.?A\.?|MBA|Ph\.?D\.?|Bachelor|Master|Doctor|Associate)(?!\w)", re.I
)
SECTION = re.compile(r"^\s*(experience|work experience|employment|education|skills|projects|summary)\s*:?\s*$", re.I)
TITLE_AT = re.compile(r"^(?P<title>[^,|@]+?)\s+(?:at|@|,|\||–|—|-)\s+(?P<company>[^,|(]+?)(?:\s*[,|(].*)?$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _sections(lines: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"top": []}
    current = "top"
    for line in lines:
        match = SECTION.match(line)
        if match:
            current = match.group(1).lower().replace("work ", "").replace("employment", "experience")
            found.setdefault(current, [])
        else:
            found[current].append(line)
    return found


def _name(top: list[str]) -> tuple[str | None, str | None]:
    for line in top[:3]:
        words = line.split()
        if 2 <= len(words) <= 4 and all(
            w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words
        ):
            return words[0], " ".join(words[1:])
    return None, None


def _links(text: str) -> dict[str, str]:
    links: dict[str, str] = {}
    for raw in URL.findall(EMAIL.sub(" ", text)):
        url = raw if raw.lower().startswith("http") else f"https://{raw}"
        lower = url.lower()
        if "linkedin.com/" in lower:
            links.setdefault("linkedin_url", url)
        elif "github.com/" in lower:
            links.setdefault("github_url", url)
        elif "/" in lower.split("//", 1)[1] or lower.count(".") >= 1:
            links.setdefault("portfolio_url", url)
    return links


def _current_job(experience: list[str]) -> dict[str, str]:
    for line in experience[:4]:
        match = TITLE_AT.match(SPAN.sub("", line).strip(" ,|–—-"))
        if match:
            return {"current_title": match["title"].strip(), "current_company": match["company"].strip()}
    return {}


def _years(text: str, experience: list[str]) -> float | None:
    stated = YEARS_STATED.search(text)
    if stated:
        return float(stated.group(1))
    spans = [SPAN.search(line) for line in experience]
    starts = [int(m.group(1)) for m in spans if m]
    return float(date.today().year - min(starts)) if starts else None


def _education(lines: list[str]) -> list[dict[str, str]]:
    schools = []
    for i, line in enumerate(lines):
        if re.search(r"\b(University|College|Institute|School)\b", line):
            nearby = " ".join(lines[max(0, i - 1) : i + 2])
            degree = DEGREE.search(nearby)
            entry = {"school": re.split(r"\s*[,|–—]\s*(?=\d)", line)[0].strip()}
            if degree:
                entry["degree"] = degree.group(1)
            schools.append(entry)
    return schools


def parse(text: str) -> dict[str, Any]:
    lines = _lines(text)
    sections = _sections(lines)
    first, last = _name(sections["top"] or lines)
    top_text = "\n".join(sections["top"]) or text
    email = EMAIL.search(text)
    phone = PHONE.search(top_text.replace(email.group(0), "") if email else top_text)
    location = LOCATION.search(top_text)
    experience = sections.get("experience", [])
    found: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "email": email.group(0) if email else None,
        "phone": phone.group(1).strip() if phone else None,
        "location": location.group(1).strip() if location else None,
        **_links(top_text),
        **_current_job(experience),
        "years_of_experience": _years(text, experience),
        "education": _education(sections.get("education", [])),
    }
    return {k: v for k, v in found.items() if v not in (None, [], "")}
