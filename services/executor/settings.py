"""executor's settings: navigation timing, the exit-IP check, the stored accounts' key, and the model
(key, prices, budget)."""

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.states import RETRY_POLICY
from runtime.settings import ENV_PREFIX, ServiceSettings


class Price(BaseModel):
    """US dollars per million tokens, as the provider bills them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0)
    cache_read: float = Field(ge=0)


# Published prices (USD per million tokens) at the time of writing; a deployment overrides the
# table with AUTOAPPLY_LLM_PRICES (JSON) when they change. Nothing is downloaded.
PRICES: dict[str, Price] = {
    "claude-haiku-4-5": Price(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10),
    "claude-haiku-5-5": Price(input=0.10, output=0.50, cache_write=0.125, cache_read=0.01),
    "claude-sonnet-4-6": Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30),
    "claude-sonnet-5": Price(input=2.0, output=10.0, cache_write=2.50, cache_read=0.20),
    "claude-sonnet-5-5": Price(input=2.0, output=10.0, cache_write=2.50, cache_read=0.20),
    "claude-opus-5-5": Price(input=4.0, output=20.0, cache_write=5.0, cache_read=0.20),
}
# Models that answer 400 to a forced tool choice: they get tool_choice auto with adaptive thinking.
AUTO_TOOL_CHOICE = ("claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5", "claude-mythos-5")


class LlmSettings(BaseSettings):
    """The model, its key and what a task may spend. Off (no key) unless configured."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    anthropic_api_key: SecretStr | None = None
    # None: the SDK's own default (or its ANTHROPIC_BASE_URL); tests and benches point it at a local server.
    anthropic_base_url: str | None = None
    llm_model: str = "claude-haiku-4-5"
    llm_prices: dict[str, Price] = Field(default_factory=lambda: dict(PRICES))
    # What one task may spend on the model, in tokens (input, output and cache together) and in
    # dollars; past either, the agent stops and a person takes the task. Money: no default.
    llm_budget_tokens: int | None = Field(default=None, gt=0)
    llm_budget_usd: float | None = Field(default=None, gt=0)
    # The client's own retries of a 429 / 5xx before the model counts as unavailable.
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_timeout_s: float = Field(default=60.0, gt=0)
    # browser-use steps for one unknown flow (finding the form), at most.
    agent_max_steps: int = Field(default=8, ge=1, le=50)

    @model_validator(mode="after")
    def _spend_is_bounded(self) -> "LlmSettings":
        if self.anthropic_api_key is None:
            return self
        if self.llm_budget_tokens is None and self.llm_budget_usd is None:
            raise ValueError("an Anthropic key needs a per-task budget: AUTOAPPLY_LLM_BUDGET_USD or _TOKENS")
        if self.llm_model not in self.llm_prices:
            raise ValueError(f"no price for {self.llm_model} in AUTOAPPLY_LLM_PRICES: its cost could not be counted")
        return self

    @property
    def llm_enabled(self) -> bool:
        return self.anthropic_api_key is not None


class ExecutorSettings(ServiceSettings, LlmSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    # A job page that has not loaded in this long counts as a navigation timeout.
    navigation_timeout_s: float = Field(default=30.0, gt=0)
    # Navigation retries (contracts/states.py RETRY_POLICY: 5, 15, 45 s); shortened in tests only.
    navigation_retry_delays_s: tuple[float, ...] = RETRY_POLICY.delays_s
    # Where the exit IP is asked, through the task's browser, before its first navigation.
    ip_check_url: str = "https://api.ipify.org"
    # A screenshot after every step (object store); off only for benchmarks that measure without them.
    screenshots: bool = True
    # One browser per task at a time: the flow consumers take at most this many tasks in flight
    # per executor deployment (what runs is instances x AUTOAPPLY_WORKERS, capped by this). The
    # same variable as the provisioner's global browser slots, so one setting sizes both.
    browser_slots: int = Field(default=4, ge=1, le=256)
    # The server redelivers a flow message nobody acked or heartbeated for this long (an executor
    # killed or frozen mid-application); heartbeats go every third of it, so it need not cover a
    # whole form. A killed executor's task, its browser and its slot wait this long for another
    # instance: at 120 s each executor kill of the soak left up to a slot per task idle for two
    # minutes (docs/deploy.md). 30 s with a heartbeat every 10 s, as the other consumers have.
    flow_ack_wait_s: float = Field(default=30.0, gt=0)
    # 64 hex characters (AES-256): intake's AUTOAPPLY_CREDENTIALS_KEY, so both open the stored
    # accounts' passwords; when unset both derive the same key from the shared secret_key.
    credentials_key: SecretStr | None = None

    @field_validator("credentials_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key
