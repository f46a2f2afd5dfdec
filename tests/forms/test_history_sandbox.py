"""Typeaheads and dates in real Chromium: the sandbox's location typeaheads offer several places
of one name (the wrong one first); native date and month inputs and a pop-up picker on a page of
their own. (Work history through Workday's panels and the careers page's month pickers is checked
with every platform's submission, in test_fill_sandbox.)
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser

from autoapply.profile_file import parse
from forms.fill import fill_step
from forms.platforms import by_name
from tests.forms.test_fill_sandbox import apply, pick, profile_for
from tests.sandbox.harness import Sandbox

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]


async def test_lever_takes_the_suggested_place_that_means_the_users_location(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    """Oakland, Maine and Oakland Park, Florida are offered first; the user wrote "CA, USA"."""
    job = pick(sandbox, "lever")
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    profile = profile_for(resume_pdf, email, job).model_copy(update={"location": "Oakland, CA, USA"})
    report, sent, page = await apply(browser, job["url"] + "/apply", profile)
    await page.context.close()
    assert report.status == "ready", report.detail
    assert sent is not None and sent.status == "submitted", sent
    [record] = sandbox.submissions(site="lever", email=email)
    chosen = json.loads(record["fields"]["selectedLocation"])["name"]
    assert chosen == record["fields"]["location"]
    assert chosen == "Oakland, California, United States"


async def test_a_place_several_suggestions_could_mean_is_left_for_the_user(
    sandbox: Sandbox, browser: Browser, resume_pdf: Path
) -> None:
    job = pick(sandbox, "lever")
    email = f"ada.{uuid.uuid4().hex[:10]}@example.org"
    profile = profile_for(resume_pdf, email, job).model_copy(update={"location": "Springfield"})
    report, sent, page = await apply(browser, job["url"] + "/apply", profile)
    shown = await page.locator("#location-input").input_value()
    await page.context.close()
    assert report.status == "needs_answers" and sent is None
    assert "Current location" in report.detail
    [left] = [f for s in report.steps for f in s.filled if f.resolution.key == "location"]
    assert left.outcome == "unresolved" and "Springfield" in left.detail
    assert shown == ""  # the typed query is not left behind as if it were chosen
    assert sandbox.submissions(site="lever", email=email) == []


PROFILE_MIN = "first_name: Ada\nlast_name: Example\nemail: ada@example.org\n"


# A page of date widgets a job's row can have: a native month input, a native date input, and a pop-up
# picker that names no format and reads only "YYYY-MM" (anything else typed into it is dropped on leaving).
DATES_PAGE = """<form><section><h2>Employment history</h2>
<label for="title">Job title</label><input id="title" name="job_title">
<label for="from">Start date</label><input id="from" name="job_start" type="month">
<label for="to">End date</label><input id="to" name="job_end" type="date">
</section><section><h2>Previous employment</h2>
<label for="p-from">Start date</label><input id="p-from" name="previous_start_date" class="picker">
</section><button type="submit">Submit</button></form>
<script>
document.querySelector(".picker").addEventListener("blur", (e) => {
  const m = e.target.value.trim().match(/^(\\d{4})-(\\d{2})$/);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  e.target.value = m ? `${months[+m[2] - 1]} ${m[1]}` : "";
});
</script>"""


async def test_native_month_and_date_inputs_and_a_picker_that_rewrites_what_it_reads(browser: Browser) -> None:
    profile = parse(
        PROFILE_MIN + "work_history:\n  - {company: Contoso, title: Data Engineer, start: '2015-06', end: '2019-02'}",
        "p",
    )
    page = await browser.new_page()
    await page.set_content(DATES_PAGE)
    step = await fill_step(page, profile, by_name("generic"))
    values = [await page.locator(s).input_value() for s in ("#from", "#to", "#p-from")]
    await page.close()
    assert values == ["2015-06", "2019-02-01", "Jun 2015"]  # the picker rewrote the form it could read
    assert all(f.outcome == "filled" for f in step.filled), step.filled
