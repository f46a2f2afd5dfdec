"""Small HTML helpers shared by the platform pages. Every value that reaches markup goes through esc()."""

import html
import json
from collections.abc import Callable

from sandbox.jobs import Job

STATIC = "/_static"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(
    title: str, body: str, *, css: tuple[str, ...] = (), js: tuple[str, ...] = (), body_class: str = "", head: str = ""
) -> str:
    links = "".join(f'<link rel="stylesheet" href="{STATIC}/{name}">' for name in ("base.css", *css))
    # Page scripts only put listeners on the document, so they load in <head> and every control works
    # from the moment it is drawn: no window where a visible button does nothing.
    scripts = "".join(f'<script src="{STATIC}/{name}"></script>' for name in js)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{links}{head}{scripts}</head>"
        f'<body class="{esc(body_class)}">{body}</body></html>'
    )


def json_script(element_id: str, data: object) -> str:
    """Data for page scripts, the way server-rendered apps embed their state."""
    text = json.dumps(data).replace("</", "<\\/")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def description(job: Job, heading: str = "h3") -> str:
    tasks = "".join(f"<li>{esc(t)}</li>" for t in job.responsibilities)
    needs = "".join(f"<li>{esc(q)}</li>" for q in job.qualifications)
    low, high = job.salary
    return (
        f"<p>{esc(job.opener)}</p>"
        f"<{heading}>What you'll do</{heading}><ul>{tasks}</ul>"
        f"<{heading}>What we look for</{heading}><ul>{needs}</ul>"
        f"<{heading}>Compensation</{heading}><p>The base salary range for this role is "
        f"${low:,} - ${high:,} USD.</p>"
    )


def captcha_widget(kind: str) -> str:
    """kind "g" (reCAPTCHA-like: Greenhouse, Ashby, Workday, LinkedIn) or "h" (hCaptcha-like: Lever)."""
    css, name, title = (
        ("g-recaptcha", "g-recaptcha-response", "reCAPTCHA")
        if kind == "g"
        else ("h-captcha", "h-captcha-response", "hCaptcha")
    )
    return (
        f'<div class="{css} sbx-captcha" data-captcha-widget>'
        f'<iframe src="/_captcha/frame" title="{title} challenge" width="340" height="520"></iframe>'
        f'<textarea name="{name}" data-captcha-response hidden></textarea></div>'
    )


def late_render(markup: str) -> str:
    """Markup the page script puts in the document only after the job's render delay, as an app that
    builds its form on the client does; until then a reader finds an empty, busy placeholder."""
    return (
        '<div data-late-render aria-busy="true" class="sbx-loading"><span class="sbx-spinner">Loading...</span></div>'
        f"<template data-late-template>{markup}</template>"
    )


def site_index(title: str, jobs: list[Job], board_path: Callable[[Job], str]) -> str:
    """The sandbox's own list of one platform's jobs, grouped by company, with their preset switches."""
    groups = ""
    for company in dict.fromkeys(j.company for j in jobs):
        mine = [j for j in jobs if j.company == company]
        rows = "".join(
            f'<li><a href="{j.path}">{esc(j.title)}</a> <span class="count">{esc(j.location)}{_notes(j)}</span></li>'
            for j in mine
        )
        groups += f'<h2><a href="{board_path(mine[0])}">{esc(company)}</a></h2><ul>{rows}</ul>'
    body = f'<main class="sandbox-index"><p><a href="/">All sites</a></p><h1>{esc(title)}</h1>{groups}</main>'
    return page(title, body)


def _notes(job: Job) -> str:
    flags = job.defaults
    notes = [name for name, on in (("closed", flags.closed), ("CAPTCHA", flags.captcha)) if on]
    notes += ["security code"] if flags.email_verify and job.site == "greenhouse" else []
    return f" &middot; {', '.join(notes)}" if notes else ""
