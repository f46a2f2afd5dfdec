"""A question for a person carries its options: a combobox that loads them only when opened is
opened once, its options read, and closed again (nothing is chosen)."""

import asyncio

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from contracts.human import Question
from forms.act.common import frame_of, locate
from forms.fill import FormReport
from forms.records import FieldRecord

LAZY_WIDGETS = frozenset({"combobox", "listbox_button"})
# How long an opened list gets to draw its options.
OPEN_WAIT_S = 0.4
MAX_OPTIONS = 100


async def _read_options(page: Page, record: FieldRecord) -> tuple[str, ...]:
    try:
        await locate(page, record).click(timeout=3_000)
        await asyncio.sleep(OPEN_WAIT_S)
        texts = await frame_of(page, record).locator("[role=option]").filter(visible=True).all_inner_texts()
        await page.keyboard.press("Escape")
    except PlaywrightError:
        return ()
    return tuple(dict.fromkeys(t.strip() for t in texts if t.strip()))[:MAX_OPTIONS]


async def with_options(page: Page, report: FormReport, asked: tuple[Question, ...]) -> tuple[Question, ...]:
    records = {r.label: r for step in report.steps for r, _ in step.unresolved}
    out = []
    for question in asked:
        record = records.get(question.label)
        if not question.options and record is not None and record.widget in LAZY_WIDGETS:
            question = question.model_copy(update={"options": await _read_options(page, record)})
        out.append(question)
    return tuple(out)
