"""First-level regions per country, for address dropdowns whose list follows the chosen country."""

from sandbox.countries import US_STATES

REGIONS: dict[str, tuple[str, ...]] = {
    "United States of America": US_STATES,
    "Canada": (
        "Alberta",
        "British Columbia",
        "Manitoba",
        "New Brunswick",
        "Newfoundland and Labrador",
        "Nova Scotia",
        "Ontario",
        "Prince Edward Island",
        "Quebec",
        "Saskatchewan",
    ),
    "United Kingdom": ("England", "Northern Ireland", "Scotland", "Wales"),
    "Germany": (
        "Baden-Württemberg",
        "Bavaria",
        "Berlin",
        "Brandenburg",
        "Bremen",
        "Hamburg",
        "Hesse",
        "Lower Saxony",
        "North Rhine-Westphalia",
        "Saxony",
    ),
    "India": ("Delhi", "Gujarat", "Karnataka", "Kerala", "Maharashtra", "Tamil Nadu", "Telangana", "West Bengal"),
    "Australia": (
        "Australian Capital Territory",
        "New South Wales",
        "Queensland",
        "South Australia",
        "Tasmania",
        "Victoria",
        "Western Australia",
    ),
    "Mexico": ("Ciudad de México", "Jalisco", "Nuevo León", "Puebla", "Yucatán"),
}


def regions_of(country: str) -> tuple[str, ...]:
    """The country's regions; empty where the address has no region field."""
    return REGIONS.get(country, ())
