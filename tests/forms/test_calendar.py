"""Read-only date inputs whose value only their pop-up calendar can set: a day calendar moved by its
previous / next buttons, and a month calendar with a year select inside it (real Chromium)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from autoapply.profile_file import parse
from forms.fill import fill_step
from forms.platforms import by_name

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

# Two pickers as date-picker libraries draw them: the input is read-only and keeps only what the
# calendar chose (anything else is written back from the calendar's state when the field changes).
CALENDARS_PAGE = """<form><section><h2>Employment history</h2>
<label for="title">Job title</label><input id="title" name="job_title">
<div class="field"><label for="job-start-date">Start date</label><input id="job-start-date" name="start_date" readonly>
<div class="dp-popup" hidden></div></div>
<div class="field"><label for="job-end-date">End date</label><input id="job-end-date" name="end_date" readonly>
<div class="mp-calendar" hidden></div></div>
</section><button type="submit">Submit</button></form>
<script>
const pad = (n) => String(n).padStart(2, "0");
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
const start = document.getElementById("job-start-date"), dp = start.nextElementSibling;
let chosen = "", view = new Date();
view.setDate(1);
function drawDays() {
  const y = view.getFullYear(), m = view.getMonth();
  const lead = new Date(y, m, 1).getDay(), count = new Date(y, m + 1, 0).getDate();
  let cells = "";
  for (let i = lead; i > 0; i--) {
    cells += `<button type="button" class="day outside">${new Date(y, m, 1 - i).getDate()}</button>`;
  }
  for (let d = 1; d <= count; d++) cells += `<button type="button" class="day" data-day="${d}">${d}</button>`;
  dp.innerHTML = `<div class="dp-head"><button type="button" aria-label="Previous year">&laquo;</button>`
    + `<button type="button" aria-label="Previous month">&lsaquo;</button>`
    + `<span class="dp-title">${MONTHS[m]} ${y}</span>`
    + `<button type="button" aria-label="Next month">&rsaquo;</button>`
    + `<button type="button" aria-label="Next year">&raquo;</button></div>`
    + `<div class="dp-grid">${cells}</div>`;
  dp.hidden = false;
}
start.addEventListener("click", drawDays);
dp.addEventListener("click", (e) => {
  const label = e.target.getAttribute("aria-label") || "";
  if (label) {
    view.setFullYear(view.getFullYear() + (/year/.test(label) ? (/Previous/.test(label) ? -1 : 1) : 0));
    view.setMonth(view.getMonth() + (/month/.test(label) ? (/Previous/.test(label) ? -1 : 1) : 0));
    drawDays();
    return;
  }
  const day = e.target.dataset.day;
  if (!day) return;
  chosen = `${pad(view.getMonth() + 1)}/${pad(day)}/${view.getFullYear()}`;
  start.value = chosen;
  dp.hidden = true;
  start.dispatchEvent(new Event("change", { bubbles: true }));
});
start.addEventListener("change", () => { start.value = chosen; });

const end = document.getElementById("job-end-date"), mp = end.nextElementSibling;
let month = "";
end.addEventListener("focus", () => {
  let years = "";
  for (let y = 2000; y <= 2030; y++) years += `<option${y === 2026 ? " selected" : ""}>${y}</option>`;
  mp.innerHTML = `<select aria-label="Year">${years}</select><div class="mp-grid">`
    + MONTHS.map((n, i) => `<button type="button" data-month="${i + 1}">${n.slice(0, 3)}</button>`).join("") + "</div>";
  mp.hidden = false;
});
mp.addEventListener("mousedown", (e) => {
  const cell = e.target.closest("[data-month]");
  if (!cell) return;
  e.preventDefault();
  month = `${pad(cell.dataset.month)}/${mp.querySelector("select").value}`;
  end.value = month;
  mp.hidden = true;
});
end.addEventListener("change", () => { end.value = month; });
</script>"""
PROFILE = (
    "first_name: Ada\nlast_name: Example\nemail: ada@example.org\n"
    "work_history:\n  - {company: Contoso, title: Data Engineer, start: '2015-06', end: '2019-02'}"
)


async def test_a_read_only_date_is_set_through_its_calendar(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(CALENDARS_PAGE)
    step = await fill_step(page, parse(PROFILE, "p"), by_name("generic"))
    values = [await page.locator(s).input_value() for s in ("#title", "#job-start-date", "#job-end-date")]
    await page.close()
    # A date known to the month goes into a day calendar as the first of that month.
    assert values == ["Data Engineer", "06/01/2015", "02/2019"]
    dates = [f for f in step.filled if f.record.id in ("job-start-date", "job-end-date")]
    assert [(f.outcome, f.shown) for f in dates] == [("filled", "06/01/2015"), ("filled", "02/2019")]


async def test_a_calendar_that_does_not_offer_the_date_fails_the_field_and_sets_nothing(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(CALENDARS_PAGE.replace("let y = 2000;", "let y = 2020;"))
    step = await fill_step(page, parse(PROFILE, "p"), by_name("generic"))
    end = await page.locator("#job-end-date").input_value()
    await page.close()
    failed = [f for f in step.filled if f.record.id == "job-end-date"]
    assert end == ""
    assert [(f.outcome, f.detail) for f in failed] == [("failed", "the date field did not keep the date")]
