"""The relay's waves: rows in order, never two rows of one task in flight together."""

from typing import Any

import pytest

from runtime.outbox import waves

pytestmark = pytest.mark.unit


def _rows(*tasks: str) -> list[Any]:
    return [{"seq": n, "subject": f"task.progress.{task}"} for n, task in enumerate(tasks)]


def test_rows_of_distinct_tasks_share_a_wave_and_a_tasks_second_row_waits_for_the_next() -> None:
    rows = _rows("a", "b", "c", "a", "d", "a")
    found = waves(rows)
    assert [[r["seq"] for r in wave] for wave in found] == [[0, 1, 2], [3, 4], [5]]
    assert [r for wave in found for r in wave] == rows  # nothing lost, order kept


def test_no_rows_make_no_wave() -> None:
    assert waves([]) == []
