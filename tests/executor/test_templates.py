"""Workflow templates: the shipped ones load; a broken one names its file and line."""

from pathlib import Path

import pytest

from services.executor.templates import Action, TemplateError, load, load_all

pytestmark = pytest.mark.unit

GOOD = """\
platform: example
workflow_name: apply
version: "1.0"
url_pattern: "example\\\\.org/jobs/\\\\d+"
detection:
  selectors: ["form#application"]
steps:
  - id: open_form
    action: RPA_CLICK
    selector: "a.apply"
    optional: true
  - id: fill
    action: RPA_FILL_FORM
  - id: submit
    action: RPA_CLICK
    selector: "button[type=submit]"
    submit: true
error_handlers:
  - trigger: job_closed
    texts: ["no longer accepting applications"]
    action: FAIL
"""


def write(tmp_path: Path, text: str, name: str = "example.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_template_loads_and_matches_its_urls(tmp_path: Path) -> None:
    template = load(write(tmp_path, GOOD))
    assert [s.action for s in template.steps] == [Action.RPA_CLICK, Action.RPA_FILL_FORM, Action.RPA_CLICK]
    assert template.matches_url("https://example.org/jobs/42")
    assert not template.matches_url("https://example.org/about")
    assert [s.id for s in template.steps if s.submit] == ["submit"]


def test_an_unknown_action_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("action: RPA_FILL_FORM", "action: RPA_TYPE"))
    with pytest.raises(TemplateError, match=rf"{path} line 13: steps\.1\.action:"):
        load(path)


def test_a_click_without_a_selector_is_refused(tmp_path: Path) -> None:
    broken = GOOD.replace('    selector: "a.apply"\n', "")
    with pytest.raises(TemplateError, match=r"line 8: steps\.0: Value error, RPA_CLICK needs a selector"):
        load(write(tmp_path, broken))


def test_a_bad_regex_and_repeated_ids_are_refused(tmp_path: Path) -> None:
    bad = GOOD.replace('url_pattern: "example', 'url_pattern: "(example').replace("id: fill", "id: open_form")
    with pytest.raises(TemplateError) as caught:
        load(write(tmp_path, bad))
    message = str(caught.value)
    assert "line 4: url_pattern: Value error, not a regular expression" in message


def test_two_templates_for_one_platform_are_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(TemplateError, match="a second template for platform example"):
        load_all(tmp_path)


def test_the_shipped_templates_load() -> None:
    templates = load_all()
    assert set(templates) == {"greenhouse", "lever", "ashby", "workday", "linkedin_easy_apply"}
    for template in templates.values():
        assert sum(step.submit for step in template.steps) == 1, template.platform
        assert {h.trigger for h in template.error_handlers} & {"job_closed", "daily_limit"}, template.platform


def test_real_ashby_addresses_match_the_ashby_template_only() -> None:
    templates = load_all()
    posting = "0b5a0c8e-3b6f-4f43-9d0e-2f8f6c1d2e3a"
    application = f"https://jobs.ashbyhq.com/acme/{posting}/application"
    assert [name for name, t in templates.items() if t.matches_url(application)] == ["ashby"]
    assert templates["ashby"].matches_url(f"https://jobs.ashbyhq.com/acme/{posting}")  # Lever's shape too
    assert templates["ashby"].matches_url(f"https://careers.example.org/acme/{posting}/application?utm_source=x")
    assert not templates["ashby"].matches_url(f"https://jobs.lever.co/acme/{posting}/apply")
