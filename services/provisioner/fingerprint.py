"""A profile's fingerprint: chosen once when the profile is made, stored with it, applied at every start.

The values come from small tables of common, mutually consistent desktop setups, so a profile
looks like one ordinary machine and stays that machine for as long as it lives.
"""

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict

# Desktop Chromium on Windows and Linux: common on job sites, and Linux agrees with the platform
# (navigator.platform) the local provider's Linux Chromium reports.
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
)
# Locale and timezone go together: a US English browser in a US timezone, and so on.
REGIONS = {
    "US": (("en-US", "America/New_York"), ("en-US", "America/Chicago"), ("en-US", "America/Los_Angeles")),
    "GB": (("en-GB", "Europe/London"),),
    "DE": (("de-DE", "Europe/Berlin"),),
    "CA": (("en-CA", "America/Toronto"),),
}
VIEWPORTS = ((1920, 1080), (1536, 864), (1440, 900), (1366, 768), (1280, 800))
# WebRTC may reveal the machine's own address beside the proxy's; this policy keeps it to the proxy.
WEBRTC_POLICY: Literal["disable_non_proxied_udp"] = "disable_non_proxied_udp"


class Fingerprint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_agent: str
    locale: str
    timezone: str
    width: int
    height: int
    webrtc: Literal["disable_non_proxied_udp", "default_public_interface_only"] = WEBRTC_POLICY

    def summary(self) -> str:
        """What profile.ready and the CLI show: enough to recognise it, nothing personal."""
        system = "Windows" if "Windows" in self.user_agent else "Linux"
        return f"{system} Chromium, {self.locale}, {self.timezone}, {self.width}x{self.height}"


def generate(country: str = "US", rng: random.Random | None = None) -> Fingerprint:
    pick = rng or random.SystemRandom()
    locale, timezone = pick.choice(REGIONS.get(country.upper(), REGIONS["US"]))
    width, height = pick.choice(VIEWPORTS)
    return Fingerprint(
        user_agent=pick.choice(USER_AGENTS), locale=locale, timezone=timezone, width=width, height=height
    )


def chromium_flags(fp: Fingerprint) -> list[str]:
    """Flags applying the fingerprint to a Chromium we start; the timezone goes in its environment (TZ)."""
    return [
        f"--user-agent={fp.user_agent}",
        f"--lang={fp.locale}",
        f"--accept-lang={fp.locale},{fp.locale.split('-')[0]}",
        f"--window-size={fp.width},{fp.height}",
        f"--force-webrtc-ip-handling-policy={fp.webrtc}",
    ]
