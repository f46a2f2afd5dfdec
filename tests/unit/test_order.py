"""The order test files are handed to the workers in (tests/order.py): it names real files and packages."""

from pathlib import Path

import pytest

from tests.order import LAST_PACKAGES, LONGEST_FILES, PACKAGES, file_rank

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_the_named_files_and_packages_exist() -> None:
    # A renamed file or package would silently lose its place in the order.
    assert [f for f in LONGEST_FILES if not (ROOT / f).is_file()] == []
    assert [p for p in (*PACKAGES, *LAST_PACKAGES) if not (ROOT / "tests" / p).is_dir()] == []


def test_longest_files_first_then_packages_together_and_unit_last() -> None:
    ranks = [
        file_rank(LONGEST_FILES[0]),
        file_rank("tests/e2e/test_apply.py"),
        file_rank("tests/intake/test_tasks.py"),
        file_rank("tests/newpackage/test_new.py"),
        file_rank("tests/unit/test_contracts.py"),
    ]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert file_rank("tests/e2e/test_apply.py") == file_rank("tests/e2e/test_workday.py")
    assert file_rank("tests/unit/test_lint.py") < file_rank("tests/e2e/test_apply.py")  # one of the longest
