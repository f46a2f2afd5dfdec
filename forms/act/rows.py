"""Repeated sections: one more row ("Add another", "+ Add") where the profile has more entries
than the page shows rows. Never past the profile's entries: a row is never invented."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.profile import Profile
from forms.act.common import frame_of
from forms.records import FieldRecord, Resolution
from forms.rows import rows_shown, section_of, wanted

ROWS_JS = resources.files("forms").joinpath("rows.js").read_text(encoding="utf-8")
# Words that name each section, on its Add button or its heading (Workday: "Add Work Experience").
SECTIONS = {"education": r"education|school|degree", "work": r"work experience|employment|work history|experience"}
CLICK_MS = 2_000


async def add_row(page: Page, profile: Profile, decided: Sequence[tuple[FieldRecord, Resolution]]) -> bool:
    """Click the Add button of the first section that has fewer rows than the profile has entries."""
    for section, words in SECTIONS.items():
        fields = [r for r, res in decided if section_of(res.key) == section]
        keys = {r.handle: res.key for r, res in decided}
        shown = rows_shown(fields, keys, section)
        if shown >= wanted(profile, section) or (fields and not shown):
            continue  # enough rows, or a single block that does not repeat
        last = fields[-1] if fields else None
        frame = frame_of(page, last) if last else page.main_frame
        try:
            if await frame.evaluate(ROWS_JS, [last.handle if last else "", words]):
                await frame.locator("[data-autoapply-add]").first.click(force=True, timeout=CLICK_MS)
                return True
        except PlaywrightError:
            continue
    return False
