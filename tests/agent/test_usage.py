"""Tokens as the task carries them: priced per call, summed per task, in the receipt and on the events;
and settings that refuse a key without a budget or a price."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from contracts.applications import ApplicationSubmitted, TokenUsage
from contracts.human import HumanNeeded
from runtime.errors import SettingsError
from runtime.settings import load
from services.executor import llm, receipt
from services.executor.settings import PRICES, LlmSettings

pytestmark = pytest.mark.unit


def test_calls_are_priced_and_summed_and_the_receipt_lists_them() -> None:
    meter = llm.Meter("claude-haiku-4-5", PRICES["claude-haiku-4-5"], max_tokens=10_000)
    meter.record(SimpleNamespace(input_tokens=1_000, output_tokens=200, cache_creation_input_tokens=0))
    meter.record(SimpleNamespace(input_tokens=500, output_tokens=100, cache_read_input_tokens=2_000))
    total = meter.total
    assert (total.input_tokens, total.output_tokens, total.cache_read_input_tokens, total.calls) == (1500, 300, 2000, 2)
    assert total.all_tokens == 3800
    assert total.usd == pytest.approx((1500 * 1.0 + 300 * 5.0 + 2000 * 0.10) / 1_000_000)
    part = receipt.model_use(meter)["llm"]
    assert part["model"] == "claude-haiku-4-5" and len(part["calls"]) == 2 and part["total"]["calls"] == 2
    assert receipt.model_use(None) == {} and receipt.model_use(llm.Meter("m", PRICES["claude-haiku-4-5"])) == {}


def test_events_carry_tokens_and_old_events_still_decode() -> None:
    used = TokenUsage(input_tokens=10, output_tokens=5, calls=1)
    ids = {"task_id": "00000000-0000-0000-0000-000000000001", "user_id": "00000000-0000-0000-0000-000000000002"}
    event = ApplicationSubmitted(
        **ids, attempt_id="a", page_url="https://x.example.org", receipt_uri="r", tokens=15, usage=used
    )  # type: ignore[arg-type]
    assert ApplicationSubmitted.model_validate_json(event.model_dump_json()).usage == used
    old = event.model_dump(mode="json", exclude={"tokens", "usage"})
    assert ApplicationSubmitted.model_validate(old).tokens == 0
    asked = HumanNeeded(**ids, reason="r", resume_state="EXECUTING_AGENT")  # type: ignore[arg-type]
    assert asked.tokens == 0 and asked.usage is None


def test_a_key_needs_a_budget_and_a_priced_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOAPPLY_ANTHROPIC_API_KEY", "sk-ant-test")
    with pytest.raises(SettingsError, match="budget"):
        load(LlmSettings)
    monkeypatch.setenv("AUTOAPPLY_LLM_BUDGET_USD", "0.25")
    monkeypatch.setenv("AUTOAPPLY_LLM_MODEL", "claude-unpriced-1")
    with pytest.raises(SettingsError, match="no price"):
        load(LlmSettings)
    monkeypatch.setenv(
        "AUTOAPPLY_LLM_PRICES", '{"claude-unpriced-1": {"input": 1, "output": 2, "cache_write": 1, "cache_read": 0.1}}'
    )
    assert load(LlmSettings).llm_enabled
    monkeypatch.delenv("AUTOAPPLY_ANTHROPIC_API_KEY")
    assert not load(LlmSettings).llm_enabled


def test_forced_tool_choice_only_where_the_model_takes_it() -> None:
    assert llm.tool_choice("claude-haiku-4-5", "answer_fields") == {"type": "tool", "name": "answer_fields"}
    assert llm.tool_choice("claude-sonnet-5-5", "answer_fields") == {"type": "auto"}


def test_the_users_own_budget_holds_where_it_is_lower_than_the_deployments() -> None:
    config = LlmSettings(anthropic_api_key="sk-ant-test-" + "k" * 24, llm_budget_usd=0.25)
    assert llm.meter_for(config, None, 0.01).max_usd == 0.01
    assert llm.meter_for(config, None, 5.0).max_usd == 0.25  # a user never raises the deployment's cap
    assert llm.meter_for(config).max_usd == 0.25
    only_tokens = LlmSettings(anthropic_api_key="sk-ant-test-" + "k" * 24, llm_budget_tokens=1_000)
    meter = llm.meter_for(only_tokens, None, 0.0001)
    meter.add(TokenUsage(input_tokens=500, calls=1))  # $0.0005 at the default model's price
    with pytest.raises(llm.BudgetExceeded, match=r"spent \$0.0005 on the model \(budget \$0.0001\)"):
        meter.check()
