"""The order test files run in, so that three workers finish together (docs/testing.md).

pytest-xdist hands whole files to workers (`--dist loadfile`) in the order of the collection when
told not to reorder (`--no-loadscope-reorder`). Two things decide how long the run takes:

- a long file given out late leaves one worker busy while the others are done, so the longest
  single files go first;
- a package whose files share one expensive fixture (the e2e package's stack of five services, the
  intake package's intake) starts it once for every run of its files back to back on a worker; by
  default xdist orders files by their number of tests, which scatters a package's files and starts
  its stack again and again. Files of a package are kept together here, heaviest packages first.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

# Files of one or two tests that take a minute or more each: given out first.
LONGEST_FILES = (
    "tests/stack/test_cli.py",
    "tests/stack/test_demo_model.py",
    "tests/unit/test_lint.py",
    "tests/deploy/test_cluster_stack.py",
)
# Packages by the serial time of their tests, longest first; a package not named runs after these.
PACKAGES = (
    "e2e",
    "intake",
    "integration",
    "chaos",
    "provisioner",
    "sandbox",
    "forms",
    "stack",
    "verifier",
    "agent",
    "executor",
    "deploy",
    "takeover",
)
# Pure and quick: they fill the workers' last minutes.
LAST_PACKAGES = ("unit",)


def file_rank(relative: str) -> tuple[int, int]:
    """Where a test file (a path from the repository root) runs: smaller first."""
    if relative in LONGEST_FILES:
        return (0, LONGEST_FILES.index(relative))
    parts = PurePosixPath(relative).parts
    package = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
    if package in PACKAGES:
        return (1, PACKAGES.index(package))
    if package in LAST_PACKAGES:
        return (3, LAST_PACKAGES.index(package))
    return (2, 0)


def _relative(item: pytest.Item, root: Path) -> str:
    path = item.path
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def order(items: list[pytest.Item], root: Path) -> None:
    """Sorts in place; stable, so a file's tests and a package's files keep the collection's order."""
    items.sort(key=lambda item: file_rank(_relative(item, root)))
