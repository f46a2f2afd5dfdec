"""Person-like form filling helpers shared by the sandbox tests."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect

from tests.sandbox.harness import Sandbox

FIRST, LAST = "Ada", "Example"
Target = Page | Frame  # a page, or the frame a company page embeds the form in
PHONE = "+1 415 555 0100"


def by_id(page: Target, element_id: str) -> Locator:
    return page.locator(f'[id="{element_id}"]')


def answer_for(question: dict[str, Any]) -> str | list[str]:
    kind, options = question["kind"], question["options"]
    if kind == "yesno":
        return "Yes"
    if kind == "select":
        return str(options[1])
    if kind == "multi":
        return [str(o) for o in options[:2]]
    if kind == "number":
        return "4"
    if question["key"] == "linkedin":
        return "https://www.linkedin.com/in/ada-example"
    return f"My answer about {question['key']}"


def pick(page: Target, combobox_id: str, option: str, typed: str = "") -> None:
    """Open a react-select style combobox (or type into it) and click the option, as a person would."""
    box = by_id(page, combobox_id)
    box.click()
    if typed:
        box.press_sequentially(typed, delay=20)
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()


def attach(page: Target, button: Locator, path: Path) -> None:
    tab = page if isinstance(page, Page) else page.page
    with tab.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))


def fill_greenhouse_questions(page: Target, questions: list[dict[str, Any]]) -> dict[str, Any]:
    sent: dict[str, Any] = {}
    for q in questions:
        value = answer_for(q)
        if q["kind"] in ("yesno", "select"):
            pick(page, q["id"], str(value))
        elif q["kind"] == "multi":
            for option in value:
                by_id(page, q["id"]).get_by_label(option, exact=True).check()
        else:
            by_id(page, q["id"]).fill(str(value))
        sent[q["id"]] = value
    return sent


def fill_greenhouse_basics(page: Target, email: str, resume: Path) -> dict[str, Any]:
    page.fill("#first_name", FIRST)
    page.fill("#last_name", LAST)
    page.fill("#email", email)
    pick(page, "country", "United Kingdom +44", typed="King")
    page.fill("#phone", "+44 20 7946 0000")
    pick(page, "candidate-location", "London, England, United Kingdom", typed="Lond")
    attach(page, page.locator('button[data-attach="resume"]'), resume)
    page.get_by_test_id("cover_letter-text").click()
    page.fill("#cover_letter_text", "Dear team, I would love to join.")
    consent = {}
    if page.locator("#gdpr_processing_consent_given").count():  # the form is drawn by now
        page.get_by_label("I consent to the processing of my personal data").check()
        consent["gdpr_processing_consent_given"] = "true"
    return consent | {
        "first_name": FIRST,
        "last_name": LAST,
        "email": email,
        "country": "United Kingdom +44",
        "phone": "+44 207 946 0000",  # as the picker rewrote it when the field lost focus
        "candidate-location": "London, England, United Kingdom",
        "cover_letter_text": "Dear team, I would love to join.",
    }


def solve_captcha(sandbox: Sandbox, frame: FrameLocator, *, wrong_first: bool, stays: bool = True) -> None:
    """Click the tiles a person would pick; the test asks the oracle what the person sees.

    `stays`: the frame stays on the page once solved (not so Lever's challenge, which closes).
    """
    challenge = frame.locator("#captcha-challenge").input_value()
    answer = sandbox.get(f"/_admin/captcha/{challenge}")["answer"]
    if wrong_first:
        frame.locator(f'.captcha-tile[data-n="{next(n for n in range(9) if n not in answer)}"]').click()
        frame.locator("#captcha-verify").click()
        expect(frame.get_by_role("alert")).to_have_text("Please try again.")
        solve_captcha(sandbox, frame, wrong_first=False, stays=stays)
        return
    for n in answer:
        frame.locator(f'.captcha-tile[data-n="{n}"]').click()
    frame.locator("#captcha-verify").click()
    if stays:
        expect(frame.locator("#captcha-done")).to_be_visible()
