"""The soak is its own tier: collected only when AUTOAPPLY_SOAK=1 (`./dev soak` sets it)."""

import os
from pathlib import Path

SOAK_ENV = "AUTOAPPLY_SOAK"


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    # Twenty minutes on the cluster with every service twice is not part of the default run.
    if os.environ.get(SOAK_ENV) != "1" and collection_path.name.startswith("test_"):
        return True
    return None
