"""Greenhouse's voluntary questions: the six U.S. demographic questions of the captured board (keyed by
what they ask; their ids are bare numbers per job) and the classic EEOC block some boards add."""

EEO: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "eeo_gender": (
        "How would you describe your gender identity? (mark all that apply)",
        True,
        ("Man", "Non-binary", "Woman", "I prefer to self-describe", "I don't wish to answer"),
    ),
    "eeo_race": (
        "How would you describe your racial/ethnic background? (mark all that apply)",
        True,
        (
            "American Indian or Alaska Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "Middle Eastern or North African",
            "Native Hawaiian or Pacific Islander",
            "White",
            "I prefer to self-describe",
            "I don't wish to answer",
        ),
    ),
    "eeo_orientation": (
        "How would you describe your sexual orientation? (mark all that apply)",
        True,
        (
            "Asexual",
            "Bisexual and/or pansexual",
            "Gay",
            "Heterosexual",
            "Lesbian",
            "Queer",
            "I prefer to self-describe",
            "I don't wish to answer",
        ),
    ),
    "eeo_transgender": ("Do you identify as transgender? (select one)", False, ("Yes", "No", "I don't wish to answer")),
    "eeo_disability": (
        "Do you have a disability or chronic condition that substantially limits one or more of "
        "your major life activities? (select one)",
        False,
        ("Yes", "No", "I don't wish to answer"),
    ),
    "eeo_veteran": (
        "Are you a veteran or active member of the United States Armed Forces? (select one)",
        False,
        (
            "I am a veteran or active member of the United States Armed Forces",
            "I am not a veteran or active member of the United States Armed Forces",
            "I don't wish to answer",
        ),
    ),
}
# The classic EEOC block some boards show as well ("Voluntary Self-Identification"), with its own ids.
EEOC: dict[str, tuple[str, tuple[str, ...]]] = {
    "gender": ("Gender", ("Male", "Female", "Decline To Self Identify")),
    "hispanic_ethnicity": ("Are you Hispanic/Latino?", ("Yes", "No", "Decline To Self Identify")),
    "race": (
        "Please identify your race",
        (
            "American Indian or Alaskan Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "White",
            "Native Hawaiian or Other Pacific Islander",
            "Two or More Races",
            "Decline To Self Identify",
        ),
    ),
    "veteran_status": (
        "Veteran Status",
        (
            "I am not a protected veteran",
            "I identify as one or more of the classifications of protected veteran",
            "I don't wish to answer",
        ),
    ),
    "disability_status": (
        "Disability Status",
        (
            "Yes, I have a disability (or previously had a disability)",
            "No, I do not have a disability",
            "I do not want to answer",
        ),
    ),
}
