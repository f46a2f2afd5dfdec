"""The demo with a model: where the environment has an Anthropic key, the demo's user allows the
model's drafts and the stack's executor is given the key, so the table's tokens column fills.

A user with a key has it as `ANTHROPIC_API_KEY` (the SDK's name) or as the executor's own
`AUTOAPPLY_ANTHROPIC_API_KEY`; the base URL likewise (`ANTHROPIC_BASE_URL`). Money has no silent
default in the executor, but the demo is asked for by name: without a budget of the user's it caps
each task at DEMO_BUDGET_USD and says so (docs/agent.md, "The demo").
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, MutableMapping

KEY = "AUTOAPPLY_ANTHROPIC_API_KEY"
BASE_URL = "AUTOAPPLY_ANTHROPIC_BASE_URL"
BUDGETS = ("AUTOAPPLY_LLM_BUDGET_USD", "AUTOAPPLY_LLM_BUDGET_TOKENS")
# The SDK's own names, as a user with a key has them set.
SDK_NAMES = {KEY: "ANTHROPIC_API_KEY", BASE_URL: "ANTHROPIC_BASE_URL"}
# What a demo task may spend on the model when the user set no budget: a few first applications.
DEMO_BUDGET_USD = "0.25"
# The executor's model settings: services started with other values are restarted (autoapply/stack.py).
MODEL_VARIABLES = (KEY, BASE_URL, *BUDGETS, "AUTOAPPLY_LLM_MODEL", "AUTOAPPLY_LLM_PRICES")


def configure(environ: MutableMapping[str, str]) -> str | None:
    """Gives the services the key (and a demo budget); a line saying so, or None without a key."""
    for ours, sdk in SDK_NAMES.items():
        if not environ.get(ours) and environ.get(sdk):
            environ[ours] = environ[sdk]
    if not environ.get(KEY):
        return None
    if not any(environ.get(b) for b in BUDGETS):
        environ[BUDGETS[0]] = DEMO_BUDGET_USD
    usd = environ.get(BUDGETS[0])
    budget = f"${usd}" if usd else f"{environ[BUDGETS[1]]} tokens"
    return f"model on: the demo user allows drafts of free-text answers; each task may spend up to {budget}"


def fingerprint(environ: Mapping[str, str]) -> str:
    """Which model settings the services were started with, without keeping the key itself."""
    seen = "\n".join(f"{name}={environ.get(name, '')}" for name in MODEL_VARIABLES)
    return hashlib.sha256(seen.encode()).hexdigest()[:16]
