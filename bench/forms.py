"""`./dev bench forms`: the form engine on every sandbox platform, from page open to ready-to-submit.

Per platform, over the catalog's ordinary jobs (not the CAPTCHA, closed or security-code presets, nor
LinkedIn's jobs that are applied to on the company's site):
seconds from opening the application page to ready-to-submit, and fields filled per second. A
platform's sign-in (LinkedIn, Workday) happens before the clock starts: it belongs to the account,
not to the form. Nothing is submitted. The last line is the JSON figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from autoapply.local.chromium import chromium_flags, find_chromium
from autoapply.local.sandbox_site import SandboxSite
from autoapply.profile_file import parse
from bench._calls import Calls, Cpu
from bench._phases import Phases, installed
from bench._report import emit, percentile
from contracts.profile import BankAnswer, Profile
from forms.fill import FormReport, fill_form

SITES = ("greenhouse", "lever", "ashby", "careers", "linkedin", "workday")
START = {"lever": "/apply", "ashby": "/application"}
PASSWORD = "Bench!Pass1"
VERBOSE = False  # --detail
EXTRA_ARGS: list[str] = []  # --chromium-arg: flags to compare, on top of the product's
ORDINARY_JOBS = 11  # the catalog's jobs 11-13 are the security-code, CAPTCHA and closed presets
NAVIGATION_MS = 30_000  # a page open on a loaded machine
PROFILE = """
first_name: Ada
last_name: Example
email: {email}
phone: "+1 206 555 0100"
phone_country: US
phone_type: Mobile
location: Seattle, Washington, United States
address: {{line1: 100 Example Street, city: Seattle, region: Washington, postal_code: "98101", country: United States}}
linkedin_url: https://www.linkedin.com/in/ada-example
github_url: https://github.com/ada-example
portfolio_url: https://ada.example.org
current_company: Example Corp
current_title: Technical Writer
years_of_experience: 6
resume: {resume}
answers:
  "Have you previously worked for this company?": "No"
  "Are you at least 18 years of age?": "Yes"
  "Are you legally authorized to work in the country where this job is?": "Yes"
  "Will you now or in the future require sponsorship for employment visa status?": "No"
  "How did you hear about this job?": "Company website"
  "Can you work from our office three days a week?": "Yes"
  "Your level of English": "Fluent"
preferences: {{relocation: false, privacy_consent: true, earliest_start: "2027-01-04", notice_period: 2 weeks}}
"""
# The smallest PDF a form accepts as a resume.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def profile_for(resume: Path, job: dict[str, Any]) -> Profile:
    """The bench's candidate; they have also answered this job's questions about years with one skill."""
    profile = parse(PROFILE.format(email=f"bench.{uuid.uuid4().hex[:10]}@example.org", resume=resume), "bench profile")
    skills = {q["label"]: {"answer": "3"} for q in job["questions"] if q["key"] == "years_skill"}
    return profile.model_copy(update={"answers": {**profile.answers, **parse_answers(skills)}})


def parse_answers(raw: dict[str, Any]) -> dict[str, BankAnswer]:
    return {q: BankAnswer.model_validate(a) for q, a in raw.items()}


async def _sign_in(page: Page, site: str, job: dict[str, Any], email: str, admin: httpx.AsyncClient) -> None:
    if site == "linkedin":
        await admin.post("/_admin/accounts", json={"site": "linkedin", "email": email, "password": PASSWORD})
        await page.goto(job["url"])
        await page.fill("#username", email)
        await page.fill("#password", PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.locator("button.jobs-apply-button").wait_for()
    elif site == "workday":
        account = {"site": f"workday:{job['org']}", "email": email, "password": PASSWORD, "verified": True}
        await admin.post("/_admin/accounts", json=account)
        await page.goto(job["url"])
        for step in ("adventureButton", "applyManually", "signInLink"):
            await page.locator(f"[data-automation-id={step}]").click()
        await page.locator("[data-automation-id=email]").fill(email)
        await page.locator("[data-automation-id=password]").fill(PASSWORD)
        await page.get_by_role("button", name="Sign In").click()
        await page.locator("[data-automation-id=pageHeader]").wait_for()


@dataclass
class Meters:
    calls: Calls
    cpu: Cpu
    phases: Phases | None = None  # --detail: seconds and CPU by phase of the engine


async def one_job(
    browser: Browser, site: str, job: dict[str, Any], resume: Path, admin: httpx.AsyncClient, meters: Meters
) -> dict[str, Any]:
    profile = profile_for(resume, job)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    try:
        try:
            await _sign_in(page, site, job, profile.email, admin)
        except (PlaywrightError, httpx.HTTPError) as exc:  # a loaded machine's timeout: this job fails, the run goes on
            return _failed(f"sign-in: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        if meters.phases:
            meters.phases.begin()
        cpu_before = meters.cpu.sample()
        began = time.monotonic()
        with meters.calls.counted() as calls:
            report = await _open_and_fill(page, site, job, profile, meters.phases)
        seconds = time.monotonic() - began
        cpu = Cpu.spent(cpu_before, meters.cpu.sample())
        if meters.phases:
            meters.phases.end()
    finally:
        await context.close()
    return {
        "status": report.status,
        "seconds": seconds,
        "fields": report.filled_count,
        "steps": len(report.steps),
        "detail": report.detail,
        "calls": sum(calls.values()),
        "by_method": dict(calls),
        "cpu": cpu,
        "widgets": _widget_seconds(report),
    }


async def _open_and_fill(
    page: Page, site: str, job: dict[str, Any], profile: Profile, phases: Phases | None
) -> FormReport:
    """The form filled; a page that would not open (a loaded machine's timeout) is a failed run, not the end."""
    try:
        if site not in ("linkedin", "workday"):
            async with phases.phase("navigate") if phases else contextlib.nullcontext():
                await page.goto(job["url"] + START.get(site, ""), timeout=NAVIGATION_MS)
        return await fill_form(page, profile)
    except PlaywrightError as exc:
        return FormReport(site, "failed", detail=f"{type(exc).__name__}: {str(exc).splitlines()[0]}")


def _failed(detail: str) -> dict[str, Any]:
    return {
        "status": "failed",
        "seconds": 0.0,
        "fields": 0,
        "steps": 0,
        "detail": detail,
        "calls": 0,
        "by_method": {},
        "cpu": {},
        "widgets": {},
    }


def _widget_seconds(report: FormReport) -> dict[str, list[float]]:
    """Per widget kind: how many fields were acted on and the seconds they took."""
    spent: dict[str, list[float]] = {}
    for step in report.steps:
        for done in step.filled:
            count, seconds = spent.get(done.record.widget, [0, 0.0])
            spent[done.record.widget] = [count + 1, seconds + done.seconds]
    return spent


def figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ready = [r for r in runs if r["status"] == "ready"]
    seconds = [r["seconds"] for r in ready]
    total_s = sum(seconds)
    fields = sum(r["fields"] for r in ready)
    return {
        "jobs": len(runs),
        "ready": len(ready),
        "median_s": round(statistics.median(seconds), 3) if seconds else None,
        "p95_s": round(percentile(seconds, 95), 3) if seconds else None,
        "fields_per_s": round(fields / total_s, 2) if total_s else None,
        "calls_per_form": round(statistics.mean(r["calls"] for r in ready), 1) if ready else None,
        "calls_per_field": round(sum(r["calls"] for r in ready) / fields, 2) if fields else None,
        "cpu_s_per_form": _mean_cpu(ready),
    }


def _mean_cpu(runs: list[dict[str, Any]]) -> dict[str, float] | None:
    """CPU seconds per form by process kind (engine, driver, chromium and its process types, sandbox), and
    their total."""
    if not runs:
        return None
    kinds = sorted({k for r in runs for k in r["cpu"]})
    mean = {k: round(statistics.mean(r["cpu"].get(k, 0.0) for r in runs), 3) for k in kinds}
    # chromium.<type> (browser, renderer, gpu, utility) splits chromium's figure: not added twice.
    return mean | {"total": round(sum(v for k, v in mean.items() if "." not in k), 3)}


async def run(jobs_per_site: int, sites: tuple[str, ...]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-forms-") as tmp:
        resume = Path(tmp) / "Ada_Example_Resume.pdf"
        resume.write_bytes(PDF)
        site_server = SandboxSite(Path(tmp) / "sandbox")
        site_server.start()
        try:
            with Calls().installed() as calls:
                return await _measure(
                    site_server.url, resume, jobs_per_site, sites, Meters(calls, Cpu(site_server.pid))
                )
        finally:
            site_server.stop()


def forms_of(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ordinary jobs that have a form on the platform: a LinkedIn job applied to on the company's
    own site has none (the engine names it `external_apply`; tests/forms show it)."""
    return [j for j in jobs[:ORDINARY_JOBS] if not j.get("traps", {}).get("external_apply")]


async def _measure(
    url: str, resume: Path, jobs_per_site: int, sites: tuple[str, ...], meters: Meters
) -> dict[str, Any]:
    all_runs: list[dict[str, Any]] = []
    per_site: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=url, timeout=10) as admin, async_playwright() as pw:
        args = [*chromium_flags(block_dns=True), *EXTRA_ARGS]
        browser = await pw.chromium.launch(executable_path=str(find_chromium()), args=args)
        try:
            for site in sites:
                jobs = forms_of((await admin.get("/_admin/jobs", params={"site": site})).json()["jobs"])
                meters.phases = Phases(meters.cpu) if VERBOSE else None
                with installed(meters.phases) if meters.phases else contextlib.nullcontext():
                    runs = [await one_job(browser, site, job, resume, admin, meters) for job in jobs[:jobs_per_site]]
                per_site[site] = figures(runs)
                if meters.phases:
                    per_site[site]["phases"] = meters.phases.report(max(len(runs), 1))
                all_runs += runs
                _print_site(site, per_site[site], runs)
                if meters.phases:
                    _print_phases(per_site[site]["phases"])
        finally:
            await browser.close()
    return {**figures(all_runs), "platforms": per_site}


def _print_site(site: str, fig: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    others = sorted({f"{r['status']}: {r['detail'][:80]}" for r in runs if r["status"] != "ready"})
    print(
        f"{site:<11} {fig['ready']:>2}/{fig['jobs']:<2} ready  median {fig['median_s']} s  p95 {fig['p95_s']} s  "
        f"{fig['fields_per_s']} fields/s  {fig['calls_per_form']} calls ({fig['calls_per_field']}/field)  "
        f"cpu {fig['cpu_s_per_form']}" + (f"  (not ready: {', '.join(others)})" if others else ""),
        flush=True,
    )
    if VERBOSE:
        _print_detail(runs)


def _print_detail(runs: list[dict[str, Any]]) -> None:
    """Where a form's calls and its fields' seconds went: the calls made most, and each widget kind."""
    methods: dict[str, int] = {}
    widgets: dict[str, list[float]] = {}
    for r in runs:
        for name, n in r["by_method"].items():
            methods[name] = methods.get(name, 0) + n
        for widget, (count, seconds) in r["widgets"].items():
            total = widgets.setdefault(widget, [0, 0.0])
            total[0], total[1] = total[0] + count, total[1] + seconds
    top = sorted(methods.items(), key=lambda kv: -kv[1])[:12]
    print("    calls/form: " + ", ".join(f"{m} {n / len(runs):.1f}" for m, n in top))
    shown = sorted(widgets.items(), key=lambda kv: -kv[1][1])
    print("    per form: " + ", ".join(f"{w} {c / len(runs):.1f} fields {s / len(runs):.2f} s" for w, (c, s) in shown))


def _print_phases(phases: dict[str, dict[str, float]]) -> None:
    """Per phase and form: how often, seconds, and CPU seconds of Chromium and of the engine."""
    for name, f in phases.items():
        cpu = " ".join(f"{k} {v:.3f}" for k, v in f.items() if k not in ("n", "s"))
        print(f"    {name:<18} x{f['n']:<5} {f['s']:.3f} s  cpu {cpu}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench forms", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=ORDINARY_JOBS, help="jobs per platform (at most 11)")
    parser.add_argument("--sites", nargs="+", default=list(SITES), choices=SITES)
    parser.add_argument("--detail", action="store_true", help="per platform: the calls made most, seconds per widget")
    parser.add_argument(
        "--chromium-arg", action="append", default=[], metavar="FLAG", help="a Chromium flag to add (repeatable)"
    )
    args = parser.parse_args(argv)
    global VERBOSE
    VERBOSE = args.detail
    EXTRA_ARGS[:] = args.chromium_arg
    result = asyncio.run(run(min(args.jobs, ORDINARY_JOBS), tuple(args.sites)))
    emit(result)
    return 0 if result["ready"] else 1


if __name__ == "__main__":
    sys.exit(main())
