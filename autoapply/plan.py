"""`autoapply plan URL_OR_FILE --profile PROFILE [--json]`: what would be filled, with what, from where.

It never submits and never types: it reads the page and decides. A saved HTML file is opened with its
scripts off and every request but the file itself blocked; a URL is opened live.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Route, async_playwright

from autoapply.local.chromium import chromium_flags, find_chromium
from autoapply.profile_file import ProfileError, load
from contracts.profile import Profile
from forms.engine import plan_page
from forms.records import CHOICE_WIDGETS, FieldRecord, PagePlan, Resolution

# A live page that has not loaded in this long is reported, not waited on forever.
NAVIGATION_TIMEOUT_MS = 30_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="URL_OR_FILE", help="a job application page, or a saved HTML file")
    parser.add_argument("--profile", required=True, type=Path, help="the PROFILE YAML file (see examples/profile.yaml)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    try:
        profile = load(args.profile)
    except ProfileError as exc:
        raise ValueError(str(exc)) from None
    target = str(args.target)
    page_plan = asyncio.run(make_plan(target, profile))
    report = to_json(page_plan)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else render(report))
    return 0


def _url_of(target: str) -> tuple[str, bool]:
    """(url, is_file): a path that exists is a saved page; anything else must be an http(s) URL."""
    if target.startswith(("http://", "https://")):
        return target, False
    path = Path(target)
    if not path.is_file():
        raise FileNotFoundError(f"{target}: no such file, and not an http(s) URL")
    return path.resolve().as_uri(), True


async def _only_the_file(route: Route) -> None:
    if route.request.url.startswith("file:"):
        await route.continue_()
    else:
        await route.abort()


async def _context(browser: Any, is_file: bool) -> BrowserContext:
    context: BrowserContext = await browser.new_context(
        java_script_enabled=not is_file, viewport={"width": 1280, "height": 900}
    )
    if is_file:
        await context.route("**/*", _only_the_file)
    return context


async def make_plan(target: str, profile: Profile) -> PagePlan:
    url, is_file = _url_of(target)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(find_chromium()), args=chromium_flags())
        try:
            context = await _context(browser, is_file)
            page = await context.new_page()
            await page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
            return await plan_page(page, profile, live=not is_file)
        finally:
            await browser.close()


def _options(record: FieldRecord) -> list[str]:
    return [o.label for o in record.options if o.label]


def _field(record: FieldRecord, res: Resolution) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "label": record.label,
        "selector": record.selector,
        "widget": record.widget,
        "value": res.value,
        "provenance": res.provenance,
        "required": record.required,
        "key": res.key,
    }
    if record.widget in CHOICE_WIDGETS or record.options:
        entry["options"] = _options(record)
    return entry


def _unresolved(record: FieldRecord, res: Resolution) -> dict[str, Any]:
    return {
        "label": record.label,
        "selector": record.selector,
        "required": record.required,
        "options": _options(record),
        "reason": res.reason,
        "widget": record.widget,
    }


def to_json(plan: PagePlan) -> dict[str, Any]:
    return {
        "platform": plan.platform,
        "url": plan.url,
        "fields": [_field(r, res) for r, res in plan.fields if res.resolved],
        "unresolved": [_unresolved(r, res) for r, res in plan.fields if not res.resolved],
        "challenges": [{"kind": c.kind, "detail": c.detail} for c in plan.challenges],
    }


def _cut(text: object, width: int) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= width else s[: width - 1] + "…"


def render(report: dict[str, Any]) -> str:
    lines = [f"platform: {report['platform']}", "", f"{'FIELD':<44} {'VALUE':<36} FROM"]
    for f in report["fields"]:
        mark = "*" if f["required"] else " "
        lines.append(f"{mark}{_cut(f['label'], 43):<43} {_cut(f['value'], 36):<36} {f['provenance']}")
    if report["unresolved"]:
        lines += ["", f"{'UNRESOLVED':<44} REASON"]
        for u in report["unresolved"]:
            mark = "*" if u["required"] else " "
            lines.append(f"{mark}{_cut(u['label'], 43):<43} {u['reason']}")
    lines += ["", "challenges: " + (", ".join(c["kind"] for c in report["challenges"]) or "none")]
    lines.append("* required. Nothing was typed or submitted.")
    return "\n".join(lines)
