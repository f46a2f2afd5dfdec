"""The demo turns the model on only where the environment has a key, names what it set, and the
stack can tell services started with other model settings without keeping the key."""

import pytest

from autoapply import demo_model
from services.executor.settings import LlmSettings

pytestmark = pytest.mark.unit

KEY = "sk-ant-demo-" + "k" * 24


def test_without_a_key_the_demo_leaves_the_model_off() -> None:
    environ: dict[str, str] = {"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    assert demo_model.configure(environ) is None
    assert demo_model.KEY not in environ and not any(b in environ for b in demo_model.BUDGETS)


def test_the_sdks_key_and_base_url_reach_the_executor_with_a_demo_budget() -> None:
    environ = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    said = demo_model.configure(environ)
    assert said is not None and f"${demo_model.DEMO_BUDGET_USD}" in said and KEY not in said
    settings = LlmSettings.model_validate(
        {k.removeprefix("AUTOAPPLY_").lower(): v for k, v in environ.items() if k.startswith("AUTOAPPLY_")}
    )
    assert settings.llm_enabled and settings.anthropic_base_url == "http://127.0.0.1:9"
    assert settings.llm_budget_usd == float(demo_model.DEMO_BUDGET_USD)


def test_the_users_own_settings_win() -> None:
    environ = {"ANTHROPIC_API_KEY": "sk-ant-other", demo_model.KEY: KEY, "AUTOAPPLY_LLM_BUDGET_TOKENS": "9000"}
    said = demo_model.configure(environ)
    assert said is not None and "9000 tokens" in said
    assert environ[demo_model.KEY] == KEY and "AUTOAPPLY_LLM_BUDGET_USD" not in environ


def test_the_fingerprint_changes_with_the_key_and_never_shows_it() -> None:
    off = demo_model.fingerprint({})
    on = demo_model.fingerprint({demo_model.KEY: KEY})
    assert off != on and KEY not in on and len(on) == 16
    assert demo_model.fingerprint({demo_model.KEY: KEY, "UNRELATED": "x"}) == on
