"""Checks of the answers on LinkedIn's question steps, with LinkedIn's wording."""

from datetime import datetime

from sandbox import places
from sandbox.jobs import Job, Question
from sandbox.sites import linkedin_steps as ls
from sandbox.uploads import Received

VALID_ANSWER, SELECTION = "Please enter a valid answer", "Please make a selection"
FREE_KINDS = ("text", "textarea", "checkbox", "location", "date")


def _date_ok(text: str) -> bool:
    try:
        datetime.strptime(text, "%m/%d/%Y")
    except ValueError:
        return False
    return True


def _free_error(q: Question, value: str) -> str | None:
    """Checks of LinkedIn's free-form kinds: text, textarea, checkbox, location, date."""
    if not value:
        return VALID_ANSWER if q.required else None
    if q.kind == "location" and not places.place_ok(value):
        return "Please select a location from the list"
    if q.kind == "date" and not _date_ok(value):
        return "Please enter a valid date (mm/dd/yyyy)"
    return None


def question_errors(job: Job, step: str, received: Received) -> dict[str, str]:
    errors: dict[str, str] = {}
    for q in ls.step_questions(job, step):
        value = received.text(q.qid)
        if q.kind in FREE_KINDS:
            if (problem := _free_error(q, value)) is not None:
                errors[q.qid] = problem
        elif q.kind == "number":
            if not value.isdigit() or not 0 <= int(value) <= 99:
                errors[q.qid] = VALID_ANSWER if not value else "Enter a whole number between 0 and 99"
        elif value not in q.options and (q.required or value not in ("", ls.SELECT_PROMPT)):
            errors[q.qid] = SELECTION
    return errors
