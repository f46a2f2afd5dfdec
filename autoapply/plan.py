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
from pydantic import ValidationError

from autoapply.local.chromium import chromium_flags, find_chromium
from autoapply.profile_file import ProfileError, load
from contracts.profile import Profile
from forms.engine import plan_page
from forms.records import CHOICE_WIDGETS, FieldRecord, PagePlan, Resolution
from services.executor import agent, llm
from services.executor.agent import Agent
from services.executor.settings import LlmSettings

# A live page that has not loaded in this long is reported, not waited on forever.
NAVIGATION_TIMEOUT_MS = 30_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="URL_OR_FILE", help="a job application page, or a saved HTML file")
    parser.add_argument("--profile", required=True, type=Path, help="the PROFILE YAML file (see examples/profile.yaml)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--llm",
        action="store_true",
        help="also show what the agent would draft for the questions the profile leaves open"
        " (one model call; needs AUTOAPPLY_ANTHROPIC_API_KEY and a budget, see docs/agent.md)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        profile = load(args.profile)
    except ProfileError as exc:
        raise ValueError(str(exc)) from None
    target = str(args.target)
    helper = _agent(profile) if args.llm else None
    page_plan = asyncio.run(make_plan(target, profile, helper))
    report = to_json(page_plan)
    if helper is not None:
        report["llm"] = _model_use(helper)
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


def _agent(profile: Profile) -> Agent:
    """The agent the plan asks; --llm is the user's consent for this preview, the key is the setting's."""
    try:
        settings = LlmSettings()
    except ValidationError as exc:
        raise ValueError(f"--llm: {exc.errors()[0]['msg']}") from None
    if settings.anthropic_api_key is None:
        raise ValueError(
            "--llm needs AUTOAPPLY_ANTHROPIC_API_KEY (and AUTOAPPLY_LLM_BUDGET_USD); without it, leave --llm out"
        )
    allowed = profile.preferences.model_copy(update={"allow_llm": True})
    return agent.for_task(settings, llm.client_for(settings), profile.model_copy(update={"preferences": allowed}), None)


def _model_use(helper: Agent) -> dict[str, Any]:
    spent = helper.model.meter.total if helper.model else None
    model = helper.model.meter.model if helper.model else None
    return {"model": model, "usage": spent.model_dump() if spent else None, "stopped": helper.stopped or None}


async def make_plan(target: str, profile: Profile, helper: Agent | None = None) -> PagePlan:
    url, is_file = _url_of(target)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(find_chromium()), args=chromium_flags())
        try:
            context = await _context(browser, is_file)
            page = await context.new_page()
            await page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
            if helper is None:
                return await plan_page(page, profile, live=not is_file)
            helper.job = await agent.job_of(page)
            return await plan_page(page, helper.profile, live=not is_file, draft=helper.draft)
        finally:
            await browser.close()
            if helper is not None and helper.model is not None:
                await helper.model.client.close()


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
    if report.get("llm"):
        lines.append(_model_line(report["llm"]))
    lines.append("* required. Nothing was typed or submitted.")
    return "\n".join(lines)


def _model_line(used: dict[str, Any]) -> str:
    usage = used["usage"] or {}
    spent = sum(usage.get(k, 0) for k in ("input_tokens", "output_tokens", "cache_creation_input_tokens"))
    spent += usage.get("cache_read_input_tokens", 0)
    stopped = f" (stopped: {used['stopped']})" if used["stopped"] else ""
    return f"model: {used['model']}, {spent} tokens, ${usage.get('usd', 0):.4f}{stopped}"
