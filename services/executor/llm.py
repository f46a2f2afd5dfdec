"""The model, as the executor calls it: one tool call at a time, every token counted against the
task's budget, and a model that is rate-limited or down turned into one error the flow hands to
a person (never a stuck task)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contracts.applications import TokenUsage
from runtime import metrics
from services.executor.settings import AUTO_TOOL_CHOICE, LlmSettings, Price

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger(__name__)
# Room for a cover letter and a dozen short answers; a reply cut short is refused, not half-used.
MAX_OUTPUT_TOKENS = 2_048
MILLION = 1_000_000


class ModelUnavailable(Exception):
    """The model did not answer (429 or 5xx after the client's retries, a refused request, no connection)."""


class BudgetExceeded(Exception):
    """The task spent what it may on the model: a person takes over."""


def _int(value: Any) -> int:
    return int(value or 0)


def usage_of(raw: Any) -> TokenUsage:
    return TokenUsage(
        input_tokens=_int(getattr(raw, "input_tokens", 0)),
        output_tokens=_int(getattr(raw, "output_tokens", 0)),
        cache_creation_input_tokens=_int(getattr(raw, "cache_creation_input_tokens", 0)),
        cache_read_input_tokens=_int(getattr(raw, "cache_read_input_tokens", 0)),
        calls=1,
    )


def add(a: TokenUsage, b: TokenUsage) -> TokenUsage:
    return TokenUsage(
        input_tokens=a.input_tokens + b.input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        cache_creation_input_tokens=a.cache_creation_input_tokens + b.cache_creation_input_tokens,
        cache_read_input_tokens=a.cache_read_input_tokens + b.cache_read_input_tokens,
        calls=a.calls + b.calls,
        usd=round(a.usd + b.usd, 6),
    )


def cost(usage: TokenUsage, price: Price) -> float:
    dollars = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    ) / MILLION
    return round(dollars, 6)


@dataclass
class Meter:
    """What one task spent, call by call, and whether it may spend more."""

    model: str
    price: Price
    max_tokens: int | None = None
    max_usd: float | None = None
    calls: list[TokenUsage] = field(default_factory=list)

    @property
    def total(self) -> TokenUsage:
        spent = TokenUsage()
        for call in self.calls:
            spent = add(spent, call)
        return spent

    def record(self, raw: Any) -> TokenUsage:
        return self.add(usage_of(raw))

    def add(self, usage: TokenUsage) -> TokenUsage:
        """One call's usage, priced, counted for the task and for the metrics."""
        usage = usage.model_copy(update={"usd": cost(usage, self.price)})
        self.calls.append(usage)
        sent = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
        metrics.count_tokens(self.model, sent, usage.output_tokens)
        return usage

    def check(self) -> None:
        """Raise once the task is over its budget (checked before each call and after it)."""
        spent = self.total
        if self.max_tokens is not None and spent.all_tokens >= self.max_tokens:
            raise BudgetExceeded(f"the task spent {spent.all_tokens} model tokens (budget {self.max_tokens})")
        if self.max_usd is not None and spent.usd >= self.max_usd:
            raise BudgetExceeded(f"the task spent ${spent.usd:.6g} on the model (budget ${self.max_usd:.6g})")


def lower(*caps: float | None) -> float | None:
    given = [c for c in caps if c is not None]
    return min(given) if given else None


def meter_for(settings: LlmSettings, spent: TokenUsage | None = None, user_usd: float | None = None) -> Meter:
    """A task's meter; `spent` is what earlier deliveries of the same task already used, `user_usd`
    the user's own cap per task (the lower of theirs and the deployment's holds)."""
    usd = lower(settings.llm_budget_usd, user_usd)
    meter = Meter(settings.llm_model, settings.llm_prices[settings.llm_model], settings.llm_budget_tokens, usd)
    if spent is not None and spent.calls:
        meter.calls.append(spent)
    return meter


def client_for(settings: LlmSettings) -> anthropic.AsyncAnthropic:
    # Imported here: the client costs a second or more to import, and most processes that import this
    # module (every executor, the CLI) never call a model.
    import anthropic

    key = settings.anthropic_api_key
    if key is None:
        raise ModelUnavailable("no Anthropic key is configured")
    return anthropic.AsyncAnthropic(
        api_key=key.get_secret_value(),
        base_url=settings.anthropic_base_url,
        max_retries=settings.llm_max_retries,
        timeout=settings.llm_timeout_s,
    )


def tool_choice(model: str, tool: str) -> dict[str, Any]:
    """Forced where the model allows it; the newest models answer 400 to that (they decide, with thinking)."""
    if any(model.startswith(m) for m in AUTO_TOOL_CHOICE):
        return {"type": "auto"}
    return {"type": "tool", "name": tool}


@dataclass
class Model:
    client: anthropic.AsyncAnthropic
    meter: Meter

    async def use_tool(self, system: str, prompt: str, tool: dict[str, Any]) -> dict[str, Any]:
        """One call that must answer through `tool`; its input, or ModelUnavailable."""
        import anthropic  # already loaded by client_for, which made self.client

        self.meter.check()
        name = tool["name"]
        choice = tool_choice(self.meter.model, name)
        params: dict[str, Any] = {
            "model": self.meter.model,
            "max_tokens": MAX_OUTPUT_TOKENS,
            "system": system,
            "messages": [{"role": "user", "content": prompt}],
            "tools": [tool],
            "tool_choice": choice,
        }
        if choice["type"] == "auto":
            params["thinking"] = {"type": "adaptive"}
        try:
            reply: anthropic.types.Message = await self.client.messages.create(**params)
        except anthropic.APIStatusError as exc:
            raise ModelUnavailable(f"the model answered {exc.status_code}") from None
        except anthropic.APIConnectionError:
            raise ModelUnavailable("the model could not be reached") from None
        self.meter.record(reply.usage)
        log.info("model call: %s input, %s output tokens", reply.usage.input_tokens, reply.usage.output_tokens)
        if reply.stop_reason == "max_tokens":
            raise ModelUnavailable("the model's answer was cut short")
        for block in reply.content:
            if block.type == "tool_use" and block.name == name and isinstance(block.input, dict):
                return dict(block.input)
        raise ModelUnavailable("the model did not answer through its tool")
