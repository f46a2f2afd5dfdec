"""Small blocking health probes over loopback HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

# A health endpoint on loopback answers in milliseconds; a slow one is as good as down.
PROBE_TIMEOUT_S = 2.0


def get_json(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[int, Any]:
    """(status, parsed body) for a GET; a 4xx/5xx answer is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.status, _parse(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, _parse(err.read())


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")


def answers_ok(url: str) -> bool:
    status, _ = get_json(url)
    return status == 200
