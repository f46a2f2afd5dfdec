"""Invented companies, titles, places and question wordings the job catalog draws from.

Every company here is fictional; names were picked to sound plausible, not to match a real employer.
"""

COMPANIES: tuple[tuple[str, str], ...] = (
    ("Northwind Robotics", "northwind"),
    ("Brightwave Labs", "brightwave"),
    ("Quillstone Health", "quillstone"),
    ("Harborlight Energy", "harborlight"),
    ("Tessellate Finance", "tessellate"),
    ("Cobalt Ridge Games", "cobaltridge"),
    ("Lumen Orchard", "lumenorchard"),
    ("Pinecrest Logistics", "pinecrest"),
    ("Saltmarsh Bio", "saltmarsh"),
    ("Kestrel Mobility", "kestrel"),
    ("Ironbark Security", "ironbark"),
    ("Meridian Loop", "meridianloop"),
    ("Foxglove Media", "foxglove"),
    ("Granite Owl Software", "graniteowl"),
    ("Tidewater Analytics", "tidewater"),
    ("Amberfield Foods", "amberfield"),
)

# (title, department, main skill): the skill feeds "years with X" questions.
TITLES: tuple[tuple[str, str, str], ...] = (
    ("Senior Software Engineer", "Engineering", "Python"),
    ("Staff Backend Engineer", "Engineering", "Go"),
    ("Frontend Engineer", "Engineering", "React"),
    ("Site Reliability Engineer", "Infrastructure", "Kubernetes"),
    ("Data Engineer", "Data", "SQL"),
    ("Machine Learning Engineer", "Data", "PyTorch"),
    ("Product Designer", "Design", "Figma"),
    ("Senior Product Manager", "Product", "product discovery"),
    ("Engineering Manager, Platform", "Engineering", "people management"),
    ("Security Engineer", "Security", "threat modeling"),
    ("Customer Success Manager", "Customer Success", "account management"),
    ("Technical Writer", "Documentation", "API documentation"),
    ("Data Analyst", "Data", "SQL"),
    ("Mobile Engineer (iOS)", "Engineering", "Swift"),
    ("QA Automation Engineer", "Engineering", "Playwright"),
    ("DevOps Engineer", "Infrastructure", "Terraform"),
    ("Solutions Architect", "Sales", "cloud architecture"),
    ("Recruiter, Technical", "People", "technical recruiting"),
    ("Financial Analyst", "Finance", "financial modeling"),
    ("Marketing Manager, Growth", "Marketing", "lifecycle marketing"),
)

JOB_LOCATIONS: tuple[str, ...] = (
    "San Francisco, CA",
    "New York, NY",
    "Austin, TX",
    "Seattle, WA",
    "Boston, MA",
    "Chicago, IL",
    "Denver, CO",
    "Remote - US",
    "London, United Kingdom",
    "Berlin, Germany",
    "Toronto, Canada",
    "Amsterdam, Netherlands",
    "Dublin, Ireland",
    "Remote - Europe",
)

# The typeahead lists for "Location (City)" style fields.
CITIES: tuple[str, ...] = (
    "San Francisco, California, United States",
    "San Jose, California, United States",
    "San Diego, California, United States",
    "Los Angeles, California, United States",
    "Sacramento, California, United States",
    # Places that share a name, as a geocoder offers them: the wrong one comes first.
    "Oakland Park, Florida, United States",
    "Oakland, Maine, United States",
    "Oakland, California, United States",
    "Springfield, Massachusetts, United States",
    "Springfield, Illinois, United States",
    "Cambridge, England, United Kingdom",
    "Cambridge, Massachusetts, United States",
    "New York, New York, United States",
    "Newark, New Jersey, United States",
    "Austin, Texas, United States",
    "Dallas, Texas, United States",
    "Houston, Texas, United States",
    "Seattle, Washington, United States",
    "Portland, Maine, United States",
    "Portland, Oregon, United States",
    "Boston, Massachusetts, United States",
    "Chicago, Illinois, United States",
    "Denver, Colorado, United States",
    "Atlanta, Georgia, United States",
    "Miami, Florida, United States",
    "Phoenix, Arizona, United States",
    "Minneapolis, Minnesota, United States",
    "Pittsburgh, Pennsylvania, United States",
    "Philadelphia, Pennsylvania, United States",
    "Washington, District of Columbia, United States",
    "London, England, United Kingdom",
    "Manchester, England, United Kingdom",
    "Edinburgh, Scotland, United Kingdom",
    "Dublin, County Dublin, Ireland",
    "Berlin, Berlin, Germany",
    "Munich, Bavaria, Germany",
    "Hamburg, Hamburg, Germany",
    "Amsterdam, North Holland, Netherlands",
    "Rotterdam, South Holland, Netherlands",
    "Paris, Ile-de-France, France",
    "Lyon, Auvergne-Rhone-Alpes, France",
    "Madrid, Community of Madrid, Spain",
    "Barcelona, Catalonia, Spain",
    "Lisbon, Lisbon, Portugal",
    "Stockholm, Stockholm County, Sweden",
    "Copenhagen, Capital Region, Denmark",
    "Zurich, Zurich, Switzerland",
    "Warsaw, Masovia, Poland",
    "Toronto, Ontario, Canada",
    "Vancouver, British Columbia, Canada",
    "Montreal, Quebec, Canada",
    "Sydney, New South Wales, Australia",
    "Melbourne, Victoria, Australia",
    "Auckland, Auckland, New Zealand",
    "Singapore, Singapore",
    "Bangalore, Karnataka, India",
    "Tokyo, Tokyo, Japan",
    "Sao Paulo, Sao Paulo, Brazil",
    "Mexico City, Mexico City, Mexico",
)

SCHOOLS: tuple[str, ...] = (
    "Example State University",
    "Northfield Institute of Technology",
    "Lakeshore College",
    "University of Westbrook",
    "Riverside Polytechnic",
    "Hillcrest University",
    "Other",
)

DEGREES: tuple[str, ...] = (
    "High School",
    "Associate's Degree",
    "Bachelor's Degree",
    "Master's Degree",
    "Master of Business Administration (M.B.A.)",
    "Doctor of Philosophy (Ph.D.)",
    "Other",
)

DISCIPLINES: tuple[str, ...] = (
    "Computer Science",
    "Computer Engineering",
    "Electrical Engineering",
    "Mathematics",
    "Statistics",
    "Physics",
    "Economics",
    "Business",
    "Design",
    "Other",
)

MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

HEAR_ABOUT: tuple[str, ...] = (
    "LinkedIn",
    "Company website",
    "Employee referral",
    "Job board",
    "Conference or meetup",
    "Other",
)
NOTICE: tuple[str, ...] = ("Immediately", "2 weeks", "1 month", "2 months", "3 months or more")
EXPERIENCE: tuple[str, ...] = ("0-1 years", "2-4 years", "5-7 years", "8-10 years", "More than 10 years")
SKILLS: tuple[str, ...] = ("Python", "Go", "Kubernetes", "PostgreSQL", "React", "Terraform", "AWS")
YES_NO: tuple[str, ...] = ("Yes", "No")

# key: (label template, kind, options, required by default). {company}, {country}, {city}, {skill} are filled.
QUESTIONS: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    "linkedin": ("LinkedIn Profile", "text", (), True),
    "website": ("Website", "text", (), False),
    "work_auth": ("Are you legally authorized to work in {country} for {company}?", "yesno", YES_NO, True),
    "sponsorship": (
        "Will you now or in the future require {company} to sponsor an immigration case to employ you "
        "(e.g. H-1B or another employment-based visa)?",
        "yesno",
        YES_NO,
        True,
    ),
    "relocate": ("Are you willing to relocate to {city}?", "yesno", YES_NO, False),
    "onsite": ("Can you work from our {city} office three days a week?", "yesno", YES_NO, True),
    "over18": ("Are you at least 18 years of age?", "yesno", YES_NO, True),
    "hear_about": ("How did you hear about this job?", "select", HEAR_ABOUT, True),
    "experience": ("How many years of professional experience do you have?", "select", EXPERIENCE, True),
    "notice": ("What is your notice period?", "select", NOTICE, False),
    "salary": ("What are your salary expectations for this role?", "text", (), False),
    "why": ("Why do you want to work at {company}?", "textarea", (), False),
    "referral": ("If you were referred by a current employee, please provide their name.", "text", (), False),
    "skills": ("Which of the following have you used in production?", "multi", SKILLS, False),
    "years_skill": ("How many years of work experience do you have with {skill}?", "number", (), True),
}

DESCRIPTION_OPENERS: tuple[str, ...] = (
    "{company} builds the tools that teams rely on every day, and we are growing fast.",
    "At {company}, small teams own big problems from the first sketch to production.",
    "{company} is looking for a {title} to help shape the next chapter of our product.",
    "Join {company} and work with people who care about craft, clarity and each other.",
)

RESPONSIBILITIES: tuple[str, ...] = (
    "Design, build and run systems used by thousands of customers",
    "Work closely with product, design and support to ship well-scoped improvements",
    "Write clear documents and review the work of your peers",
    "Own the quality of what you ship, from tests to monitoring",
    "Mentor teammates and help grow a healthy team culture",
    "Turn ambiguous problems into concrete plans",
)

QUALIFICATIONS: tuple[str, ...] = (
    "Several years of experience with {skill}",
    "Strong written and spoken communication",
    "Comfort with ambiguity and a bias for action",
    "Experience working with distributed teams",
    "A track record of shipping work that matters to customers",
)
