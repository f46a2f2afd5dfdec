"""Types and lint are part of the build: ruff over the whole tree, mypy over the product's code."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing() -> None:
    done = run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.timeout(300)  # a cold check of the whole product: 40 s alone, minutes beside a busy suite
def test_mypy_finds_nothing() -> None:
    packages = ("contracts", "runtime", "forms", "services", "autoapply", "bench")
    done = run(str(BIN / "mypy"), "--cache-dir", "/dev/null", *packages)
    assert done.returncode == 0, done.stdout + done.stderr
