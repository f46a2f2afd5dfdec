"""What each Workday step asks, per tenant: the two id generations, the steps a tenant has, and how
its Application Questions are split over pages."""

from dataclasses import dataclass

from sandbox import countries
from sandbox.jobs import Job
from sandbox.sites.workday_widgets import SOURCE_LEAVES

COUNTRIES = tuple("United States of America" if c == "United States" else c for c in countries.country_names())
DISABILITY = (
    "Yes, I have a disability, or have had one in the past",
    "No, I do not have a disability and have not had one in the past",
    "I do not want to answer",
)
TITLES = {
    "my-information": "My Information",
    "my-experience": "My Experience",
    "application-questions": "Application Questions",
    "application-questions-2": "Application Questions",
    "voluntary-disclosures": "Voluntary Disclosures",
    "self-identify": "Self Identify",
    "review": "Review",
}


@dataclass(frozen=True)
class Field:
    name: str  # what the record keys it by: the data-automation-id (legacy) or the element id (current)
    label: str
    kind: str  # text | tel | textarea | dropdown | region | prompt | radio | checkbox | checkboxes | file | date
    required: bool
    options: tuple[str, ...] = ()
    by_id: bool = False  # current id generation: the control is found by its id, not a data-automation-id
    depends: str = ""  # region: the country field whose choice decides the list

    @property
    def wrapper(self) -> str:
        """The formField-* automation id: the name, less the section prefix on current tenants."""
        return self.name.split("--", 1)[1] if self.by_id else self.name


DISCLOSURES = (
    Field("gender", "Gender", "dropdown", False, ("Male", "Female", "Decline to Self Identify")),
    Field(
        "ethnicityDropdown",
        "Ethnicity",
        "dropdown",
        False,
        (
            "Hispanic or Latino",
            "White (Not Hispanic or Latino)",
            "Asian (Not Hispanic or Latino)",
            "Black or African American (Not Hispanic or Latino)",
            "Two or More Races (Not Hispanic or Latino)",
            "I do not wish to answer",
        ),
    ),
    Field(
        "veteranStatus",
        "Veteran Status",
        "dropdown",
        False,
        (
            "I am not a protected veteran",
            "I identify as one or more of the classifications of protected veteran",
            "I do not wish to self-identify",
        ),
    ),
    Field("agreementCheckbox", "I have read and consent to the terms and conditions", "checkbox", True),
)
SELF_IDENTIFY = (
    Field("name", "Name", "text", True),
    Field("dateSection", "Date", "date", True),
    Field("disabilityStatus", "Please check one of the boxes below", "checkboxes", True, DISABILITY),
)


def _my_information(job: Job) -> list[Field]:
    n = job.ids
    by_id = job.traps["workday_ids"] == "current"

    def f(key: str, label: str, kind: str, required: bool, options: tuple[str, ...] = (), depends: str = "") -> Field:
        return Field(n[key], label, kind, required, options, by_id, depends)

    return [
        f("country", "Country", "dropdown", True, COUNTRIES),
        f("source", "How Did You Hear About Us?", "prompt", True, SOURCE_LEAVES),
        Field(
            "candidateIsPreviousWorker", f"Have you previously worked for {job.company}?", "radio", True, ("Yes", "No")
        ),
        f("first", "First Name", "text", True),
        f("last", "Last Name", "text", True),
        f("line1", "Address Line 1", "text", True),
        f("city", "City", "text", True),
        f("region", "State", "region", True, depends=n["country"]),
        f("postal", "Postal Code", "text", True),
        f("phone_type", "Phone Device Type", "dropdown", True, ("Mobile", "Home", "Work")),
        f("phone", "Phone Number", "tel", True),
    ]


def steps(job: Job) -> tuple[str, ...]:
    questions = ("application-questions", "application-questions-2")[: job.traps["question_pages"]]
    identify = ("self-identify",) if job.traps["self_identify"] else ()
    return ("my-information", "my-experience", *questions, "voluntary-disclosures", *identify, "review")


def title(job: Job, step: str) -> str:
    if step.startswith("application-questions") and job.traps["question_pages"] == 2:
        return f"Application Questions {2 if step.endswith('-2') else 1} of 2"
    return TITLES[step]


def _questions(job: Job, step: str) -> list[Field]:
    kinds = {"yesno": "dropdown", "select": "dropdown", "multi": "checkboxes", "textarea": "textarea"}
    asked = list(job.questions)
    if job.traps["question_pages"] == 2:
        half = (len(asked) + 1) // 2
        asked = asked[half:] if step.endswith("-2") else asked[:half]
    return [Field(q.qid, q.label, kinds.get(q.kind, "text"), q.required, q.options) for q in asked]


def step_fields(job: Job, step: str) -> list[Field]:
    if step == "my-information":
        return _my_information(job)
    if step == "my-experience":
        return [
            Field("file-upload-input-ref", "Resume/CV", "file", True),
            Field("linkedinQuestion", "LinkedIn Profile", "text", False),
        ]
    if step.startswith("application-questions"):
        return _questions(job, step)
    if step == "voluntary-disclosures":
        return list(DISCLOSURES)
    if step == "self-identify":
        return list(SELF_IDENTIFY)
    return []
