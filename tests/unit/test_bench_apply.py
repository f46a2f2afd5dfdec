"""The apply benchmark's own arithmetic: what a level's figures say, and what the meter counts
(the whole run needs the stack and minutes: `./dev bench apply --quick`)."""

import subprocess
import sys
import time
import uuid

import pytest

from bench._load import Meter
from bench.apply import Outcome, figures

pytestmark = pytest.mark.unit


def test_a_level_s_figures_count_only_submitted_tasks() -> None:
    outcomes = [Outcome(uuid.uuid4(), "lever", s, "application.completed", 1.0) for s in (2.0, 4.0, 6.0)]
    outcomes.append(Outcome(uuid.uuid4(), "ashby", None, "task.failed"))
    got = figures(outcomes, elapsed=30.0)
    assert (got["p50_s"], got["submitted"], got["tasks"]) == (4.0, 3, 4)
    assert got["per_min"] == 6.0 and 5.5 <= got["p95_s"] <= 6.0
    assert got["not_submitted"] == ["task.failed"] and got["browser_p50_s"] == 1.0


def test_the_meter_counts_a_child_s_cpu_after_it_exited() -> None:
    spin = (
        "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\nbuf = bytearray(64 << 20)"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {spin!r}])\ntime.sleep(30)",
        ]
    )
    try:
        meter = Meter(lambda: [parent.pid])
        deadline = time.monotonic() + 20
        while meter.cpu_s() < 0.4 and time.monotonic() < deadline:
            meter.sample()
            time.sleep(0.02)
        assert meter.cpu_s() >= 0.4  # the grandchild's spin, counted once it was waited for
        assert meter.peak_rss > 0
    finally:
        parent.kill()
        parent.wait()
