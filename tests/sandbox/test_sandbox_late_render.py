"""Pages that render late: Greenhouse and Ashby build their forms by script after a per-job delay;
Ashby has no form element and its Yes/No buttons have no input behind them."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration

# Notes, in page time, when a selector first matches, so the test never races the delay it measures.
WATCH = """
window.__sbxSeen = {};
const watch = (selector) => new MutationObserver((_, observer) => {
  if (document.querySelector(selector)) { window.__sbxSeen[selector] = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
window.__sbxWatch = watch;
"""


def appeared_after(page: Page, url: str, selector: str) -> float:
    page.add_init_script(WATCH + f"watch({selector!r});")
    page.goto(url)
    expect(page.locator(selector)).to_be_attached()
    loaded: float = page.evaluate("performance.timing.domContentLoadedEventStart - performance.timing.navigationStart")
    seen: float = page.evaluate(f"window.__sbxSeen[{selector!r}]")
    return seen - loaded


def delays(sandbox: Sandbox, site: str) -> list[int]:
    return [j["traps"]["render_delay_ms"] for j in sandbox.get("/_admin/jobs", site=site)["jobs"]]


@pytest.mark.parametrize("site", ["greenhouse", "ashby", "workday"])
def test_render_delays_vary_per_job_and_stay_put(sandbox: Sandbox, site: str) -> None:
    first = delays(sandbox, site)
    assert len(set(first)) > 3 and min(first) > 0
    assert delays(sandbox, site) == first


def test_greenhouse_builds_its_form_after_the_job_delay(sandbox: Sandbox, page: Page) -> None:
    job = sandbox.job("greenhouse", 7)
    html = sandbox.client.get(job["url"]).text
    assert html.index('id="first_name"') > html.index("<template")  # only inside the template at first
    assert appeared_after(page, job["url"], "#first_name") >= job["traps"]["render_delay_ms"] * 0.9


def test_ashby_has_no_form_element_and_yes_no_buttons_have_no_input(sandbox: Sandbox, page: Page) -> None:
    job = next(j for j in sandbox.get("/_admin/jobs", site="ashby")["jobs"] if has_yes_no(j))
    shown_after = appeared_after(page, job["url"] + "/application", "#_systemfield_name")
    assert shown_after >= job["traps"]["render_delay_ms"] * 0.9
    expect(page.get_by_role("button", name="Submit Application")).to_be_visible()
    assert page.locator("form").count() == 0
    question = next(q for q in job["questions"] if q["kind"] == "yesno")
    entry = page.locator(f'[data-field-path="{question["id"]}"]')
    expect(entry.get_by_role("button", name="Yes", exact=True)).to_be_visible()
    assert entry.locator("input").count() == 0


def has_yes_no(job: dict[str, Any]) -> bool:
    return any(q["kind"] == "yesno" for q in job["questions"])
