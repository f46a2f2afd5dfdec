"""Server-side checks of one Workday application step, with Workday's wording."""

import datetime as dt

from sandbox.flags import JobFlags
from sandbox.gate import phone_ok
from sandbox.jobs import Job
from sandbox.regions import regions_of
from sandbox.sites import workday_experience as experience
from sandbox.sites.workday_fields import Field, step_fields
from sandbox.uploads import Received

DATE_PARTS = ("dateSectionMonth-input", "dateSectionDay-input", "dateSectionYear-input")


def _present(field: Field, received: Received, has_resume: bool) -> bool:
    if field.kind == "file":
        return has_resume or received.file(field.name) is not None
    if field.kind == "date":
        return all(received.text(p) for p in DATE_PARTS)
    return bool(received.values(field.name))


def _date_ok(received: Received) -> bool:
    try:
        month, day, year = (int(received.text(p)) for p in DATE_PARTS)
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _field_error(field: Field, received: Received, flags: JobFlags) -> str | None:
    values = received.values(field.name)
    if field.kind in ("dropdown", "prompt", "radio", "checkboxes") and any(v not in field.options for v in values):
        return f"The value entered for {field.label} is not valid."
    if field.kind == "region" and any(v not in regions_of(received.text(field.depends)) for v in values):
        return f"The value entered for {field.label} is not valid."
    if field.kind == "tel" and values and not phone_ok(values[0], flags):
        return "Enter a valid phone number."
    if field.name == "disabilityStatus" and len(values) > 1:
        return "Select only one option."
    if field.kind == "date" and not _date_ok(received):
        return "Enter a valid date (MM/DD/YYYY)."
    return None


def step_errors(job: Job, flags: JobFlags, step: str, received: Received, has_resume: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in step_fields(job, step):
        if not _present(field, received, has_resume):
            # The State list follows the country: a country without regions asks for none.
            needed = field.required and (field.kind != "region" or bool(regions_of(received.text(field.depends))))
            if needed:
                errors[field.name] = f"The field {field.label} is required and must have a value."
        elif (problem := _field_error(field, received, flags)) is not None:
            errors[field.name] = problem
    if step == "my-experience":
        errors |= experience.errors({k: received.text(k) for k in received.fields})  # wd-panels included
    return errors
