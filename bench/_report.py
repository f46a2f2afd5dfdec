"""What every benchmark ends with: its figures as one JSON line on standard output."""

import json
import statistics
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def emit(figures: dict[str, Any]) -> None:
    print(json.dumps(figures, sort_keys=True), flush=True)
