"""Dates: which date a field asks for, and the profile's date written and read as the field writes it."""

from __future__ import annotations

import pytest

from forms.datekeys import date_key
from forms.dates import When, candidates, means, month_option, picked, when
from forms.resolve import resolve
from tests.forms.support import profile, record

pytestmark = pytest.mark.unit

HISTORY = """
work_history:
  - {company: Northwind Analytics, title: Senior Data Engineer, start: "2019-03", current: true}
  - {company: Contoso, title: Data Engineer, start: "2015-06", end: "2019-02"}
education:
  - {school: University of Washington, start: "2010", end: "2014"}
"""


@pytest.mark.parametrize(
    ("field", "key"),
    [
        (
            record(
                "Work Experience 1", "date_part", aria_label="Month", nearby="From", id="workExperience-1--startDate-m"
            ),
            "work_start_month",
        ),
        (
            record("Work Experience 1", "date_part", aria_label="Year", nearby="To", id="workExperience-1--endDate-y"),
            "work_end_year",
        ),
        (
            record("From", "text", placeholder="MM / YYYY", name="recent_from", section="Your most recent job"),
            "work_start",
        ),
        (record("End date", "date", type="month", name="end", section="Employment"), "work_end"),
        (record("Start date year", "select", options=("2013", "2014"), section="Education"), "education_start_year"),
        (record("Date", "date_part", aria_label="Day", nearby="Date"), "today_day"),
        (record("Earliest start date", "date", type="date"), ""),
        (record("From", "text", placeholder="MM/YYYY"), ""),  # whose date? nothing says: never a job's by chance
        (record("Date of birth", "date", type="date", section="Employment"), ""),
    ],
)
def test_which_date_a_field_asks_for(field: object, key: str) -> None:
    assert date_key(field) == key  # type: ignore[arg-type]


def test_a_date_is_written_the_way_the_field_asks() -> None:
    march = When(2019, 3)
    assert candidates(march, "date", "") == ["2019-03-01"]  # a day-precise field: the first of the month
    assert candidates(march, "month", "") == ["2019-03"]
    assert candidates(march, "", "DD.MM.YYYY") == ["01.03.2019"]
    assert candidates(march, "", "Start date (MM/YYYY)") == ["03/2019"]
    assert candidates(march, "", "")[0] == "03/2019" and "2019-03" in candidates(march, "", "")
    assert candidates(When(2019), "month", "") == []  # a year alone never becomes a month


def test_what_a_picker_shows_is_read_as_a_person_reads_it() -> None:
    march = When(2019, 3)
    for shown in ("03/2019", "2019-03", "Mar 2019", "March 2019", "2019-03-01", "3/2019"):
        assert means(shown, march), shown
    assert not means("04/2019", march) and not means("", march) and not means("2019", march)
    assert means("01/03/2019", When(2019, 3, 1), "DD/MM/YYYY") and not means(
        "01/03/2019", When(2019, 3, 1), "MM/DD/YYYY"
    )


def test_month_options_by_name_or_number() -> None:
    assert month_option(["Select", "January", "February", "March"], 3) == "March"
    assert month_option(["Jan", "Feb", "Mar"], 2) == "Feb"
    assert month_option(["01", "02", "03"], 3) == "03"
    assert when("2019-13") is None and when("spring") is None


def test_each_job_row_takes_its_own_dates_and_a_current_job_has_no_end() -> None:
    p = profile(HISTORY)
    start = record("From", "date_part", aria_label="Month", nearby="From", id="workExperience-1--startDate-m")
    end = record("To", "date_part", aria_label="Month", nearby="To", id="workExperience-1--endDate-m")
    assert resolve(start, p).value == "03"
    left = resolve(end, p)
    assert left.value is None and "current" in left.reason
    school = record("Start date year", "select", options=("2009", "2010", "2011"), section="Education")
    assert resolve(school, p).value == "2010"
    month = record("Start date month", "select", options=("January", "February"), section="Education")
    assert resolve(month, p).value is None  # the profile gives the year only: no month is made up


def test_a_platform_id_full_of_jobs_is_not_a_job_row() -> None:
    """LinkedIn's ids name "jobs" (urn-li-jobs-applyformcommon-...): its location question is the user's."""
    urn = "single-typeahead-entity-form-component-formElement-urn-li-jobs-applyformcommon-easyApplyFormElement-1-2"
    located = record("Where are you currently located?", "combobox", id=f"{urn}-location")
    assert resolve(located, profile(HISTORY)).key == "location"
    start = record("Start date", "text", id=f"{urn}-date", placeholder="mm/dd/yyyy")
    assert date_key(start) == ""  # nothing says it is a job's or a school's date
    row = record("Location", "text", id="workExperience-2--location")
    assert resolve(row, profile(HISTORY)).key == "work_location"


def test_a_date_pressed_in_a_calendar_is_read_in_either_day_month_order() -> None:
    assert picked("06/01/2015", When(2015, 6))  # June, on its first day
    assert picked("01/06/2015", When(2015, 6))  # the same press, written day first
    assert picked("03/14/2019", When(2019, 3, 14))
    assert not picked("06/02/2015", When(2015, 6))
    assert not picked("06/01/2016", When(2015, 6))
    assert not picked("2015", When(2015, 6))
