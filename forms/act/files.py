"""File inputs: attach the file and check the page took it."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

from forms.act.common import Filled, locate, on
from forms.records import FieldRecord, Resolution

FILES_JS = "e => [...(e.files || [])].map(f => f.name)"


def _existing(value: str) -> Path | None:
    path = Path(value).expanduser()
    return path if path.is_file() else None


async def fill_file(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    path = _existing(str(res.value))
    if path is None:
        return Filled(record, res, "unresolved", "", f"the file {Path(str(res.value)).name} is not there")
    field = locate(page, record)
    names = await on(page, record, FILES_JS)
    if path.name in names:
        return Filled(record, res, "kept", path.name)
    for _ in range(2):
        await field.set_input_files(str(path))
        names = await on(page, record, FILES_JS)
        if path.name in names:
            return Filled(record, res, "filled", path.name)
    return Filled(record, res, "failed", "", "the page did not keep the file")
