"""Platform knowledge as data: how to recognise each ATS, what its own field names mean, where its
buttons, errors and outcomes are. The decider and the filler read these maps; they never branch on a
platform's name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Platform:
    name: str
    url: re.Pattern[str]
    markers: tuple[str, ...] = ()  # CSS selectors that only this platform's pages have
    hints: dict[str, str] = field(default_factory=dict)  # data-automation-id / id / name -> profile key
    skip: re.Pattern[str] | None = None  # ids or names that are the platform's machinery, not questions
    resume_first: bool = False  # the platform parses the resume and overwrites fields: upload, then fill
    next_buttons: tuple[str, ...] = ()
    submit_buttons: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # where the platform writes validation errors
    done: tuple[str, ...] = ()  # texts that mean the application went in
    open_form: tuple[str, ...] = ()  # clicks that lead from the job page to the form


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


COMMON_NEXT = ("button:has-text('Next')", "button:has-text('Continue')", "button:has-text('Save and Continue')")
COMMON_SUBMIT = ("button[type=submit]", "input[type=submit]", "button:has-text('Submit')")
COMMON_DONE = (
    "Application received",
    "Thank you for applying",
    "Thanks for applying",
    "Application submitted",
    "application has been submitted",
    "application has been received",
    "Your application was sent",
)
COMMON_ERRORS = ("[role=alert]", "[aria-invalid=true]", ".error:visible", ".field-error", ".invalid-feedback")

PLATFORMS = (
    Platform(
        "greenhouse",
        _p(r"greenhouse\.io|/greenhouse/"),
        markers=("#grnhse_app", "link[href*='greenhouse']", "meta[content*='greenhouse']"),
        skip=_p(r"^(resume_text|cover_letter_text|security-input-\d+|security_code|g-recaptcha-response)$"),
        submit_buttons=("button:has-text('Submit application')", "button[type=submit]"),
        errors=(".helper-text--error", "[id$=-error]:not(:empty)", "[role=alert]"),
        done=("Thank you for applying", "Application submitted"),
    ),
    Platform(
        "lever",
        _p(r"lever\.co|/lever/"),
        markers=(
            "form#application-form input[name='urls[LinkedIn]']",
            "[data-qa='show-page-apply']",
            "#resume-upload-input",
        ),
        hints={
            "name": "full_name",
            "org": "current_company",
            "location": "location",
            "urls[LinkedIn]": "linkedin_url",
            "urls[GitHub]": "github_url",
            "urls[Portfolio]": "portfolio_url",
            "urls[Twitter]": "twitter_url",
            "eeo[gender]": "eeo_gender",
            "eeo[race]": "eeo_race",
            "eeo[veteran]": "eeo_veteran",
            "eeo[disability]": "eeo_disability",
            "resume": "resume",
        },
        skip=_p(r"^(selectedLocation|h-captcha-response|g-recaptcha-response|cards\[.*\]\[baseTemplate\]|accountId)$"),
        resume_first=True,
        submit_buttons=("#btn-submit", "button[data-qa='btn-submit']", "button[type=submit]"),
        errors=(".error-message", ".application-error", "[role=alert]"),
        done=("Application submitted", "Thanks for applying"),
        open_form=("a[data-qa='show-page-apply']",),
    ),
    Platform(
        "ashby",
        _p(r"ashbyhq\.com|/ashby/"),
        markers=("[id^='_systemfield_']", "[name^='_systemfield_']"),
        hints={
            "_systemfield_name": "full_name",
            "_systemfield_email": "email",
            "_systemfield_phone": "phone",
            "_systemfield_location": "location",
            "_systemfield_resume": "resume",
        },
        resume_first=True,
        submit_buttons=("button:has-text('Submit Application')", "button:has-text('Submit')"),
        errors=("[class*=error]", "[role=alert]"),
        done=("Thanks for applying", "Application submitted", "successfully submitted"),
        open_form=("a:has-text('Application')", "button:has-text('Apply for this Job')"),
    ),
    Platform(
        "workday",
        _p(r"myworkdayjobs\.com|myworkday\.com|/workday/"),
        markers=("[data-automation-id]",),
        hints={
            "legalNameSection_firstName": "first_name",
            "legalNameSection_lastName": "last_name",
            "name--legalName--firstName": "first_name",
            "name--legalName--lastName": "last_name",
            "addressSection_addressLine1": "address_line1",
            "address--addressLine1": "address_line1",
            "addressSection_city": "city",
            "address--city": "city",
            "addressSection_postalCode": "postal_code",
            "address--postalCode": "postal_code",
            "addressSection_countryRegion": "region",
            "address--countryRegion": "region",
            "phone-number": "phone",
            "phoneNumber": "phone",
            "phoneNumber--phoneNumber": "phone",
            "phone-device-type": "phone_type",
            "phoneNumber--phoneType": "phone_type",
            "countryDropdown": "country",
            "country--country": "country",
            "formField-countryPhoneCode": "phone_country",
            "phoneNumber--countryPhoneCode": "phone_country",
            "sourceDropdown": "how_heard",
            "formField-source": "how_heard",
            "source--source": "how_heard",
            "candidateIsPreviousWorker": "previous_worker",
            "previousWorker": "previous_worker",
            "linkedinQuestion": "linkedin_url",
            "socialNetworkAccounts--linkedInAccount": "linkedin_url",
            "file-upload-input-ref": "resume",
            "gender": "eeo_gender",
            "ethnicityDropdown": "eeo_race",
            "veteranStatus": "eeo_veteran",
            "disabilityStatus": "eeo_disability",
        },
        skip=_p(r"^(beecatcher|website)$"),
        resume_first=True,
        next_buttons=(
            "[data-automation-id=bottom-navigation-next-button]",
            "[data-automation-id=pageFooterNextButton]",
        ),
        submit_buttons=("[data-automation-id=bottom-navigation-next-button]:has-text('Submit')",),
        errors=(
            "[data-automation-id=errorMessage]",
            "[data-automation-id*=error]",
            ".inputError",
            ".inputAlert",
            "[role=alert]",
        ),
        done=("Application Submitted", "Thank you for applying", "submitted"),
        open_form=("[data-automation-id=adventureButton]", "[data-automation-id=applyManually]"),
    ),
    Platform(
        "linkedin",
        _p(r"linkedin\.com|/linkedin/"),
        markers=(".jobs-easy-apply-modal", "[data-test-text-entity-list-form-select]", "[id*=easyApplyFormElement]"),
        next_buttons=("button[aria-label='Continue to next step']", "button[aria-label='Review your application']"),
        submit_buttons=("button[aria-label='Submit application']",),
        errors=(".artdeco-inline-feedback__message", ".artdeco-inline-feedback--error"),
        done=("Your application was sent", "Application sent", "Application submitted"),
        open_form=("button.jobs-apply-button",),
    ),
    Platform(
        "teamtailor", _p(r"teamtailor\.com"), markers=("[data-controller*=careersite]", "input[name^='candidate[']")
    ),
    Platform("breezyhr", _p(r"breezy\.hr"), markers=("[ng-model^='candidate.']", ".bzyButtonColor")),
    Platform("workable", _p(r"workable\.com"), markers=("[data-ui=application-form]",)),
    Platform("smartrecruiters", _p(r"smartrecruiters\.com"), markers=("oc-oneclick-form", "spl-form-element")),
    Platform("careers", _p(r"/careers/")),
)
GENERIC = Platform(
    "generic", _p(r"^$"), submit_buttons=COMMON_SUBMIT, next_buttons=COMMON_NEXT, errors=COMMON_ERRORS, done=COMMON_DONE
)


def by_name(name: str) -> Platform:
    return next((p for p in PLATFORMS if p.name == name), GENERIC)


def by_url(url: str) -> Platform | None:
    return next((p for p in PLATFORMS if p.url.search(url)), None)


# Names the first platform whose markers the page has (pages whose URL says nothing: saved files).
MARKER_JS = """(pairs) => {
  for (const [name, selectors] of pairs)
    for (const s of selectors) { try { if (document.querySelector(s)) return name; } catch (e) {} }
  return "generic";
}"""


def marker_pairs() -> list[list[object]]:
    return [[p.name, list(p.markers)] for p in PLATFORMS if p.markers]
