"""Every model call's tokens reach the task's meter and the Prometheus counter alike."""

import pytest
from prometheus_client import REGISTRY

from contracts.applications import TokenUsage
from services.executor.llm import Meter
from services.executor.settings import Price

pytestmark = pytest.mark.unit


def _counted(model: str, direction: str) -> float:
    return REGISTRY.get_sample_value("autoapply_llm_tokens_total", {"model": model, "direction": direction}) or 0.0


def test_a_call_is_counted_for_the_task_and_for_the_metrics() -> None:
    meter = Meter("test-model-x", Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.3))
    before_in, before_out = _counted("test-model-x", "input"), _counted("test-model-x", "output")
    usage = TokenUsage(input_tokens=1000, output_tokens=200, cache_read_input_tokens=500)
    priced = meter.add(usage)
    assert priced.usd == pytest.approx((1000 * 3.0 + 200 * 15.0 + 500 * 0.3) / 1_000_000)
    assert meter.total.input_tokens == 1000 and meter.total.output_tokens == 200
    assert _counted("test-model-x", "input") - before_in == 1500  # the cached prefix was sent too
    assert _counted("test-model-x", "output") - before_out == 200
