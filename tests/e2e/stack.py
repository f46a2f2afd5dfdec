"""The whole product on real servers, for end-to-end tests: intake, provisioner, executor, verifier
and takeover as real processes, the sandbox job sites, and a watcher of every event on the bus."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts.envelope import Event
from contracts.subjects import FAMILIES
from runtime.bus import decode
from tests.intake.client import User, new_user
from tests.processes import Child, service_env, wait_healthy
from tests.sandbox.fill import answer_for
from tests.sandbox.harness import Sandbox, make_pdf

# Short waits for tests: retries in a fraction of a second, no pacing between applications.
FAST: dict[str, dict[str, str]] = {
    "provisioner": {
        "AUTOAPPLY_SPACING_MIN_S": "0",
        "AUTOAPPLY_SPACING_MAX_S": "0",
        "AUTOAPPLY_LOCK_TTL_S": "5",
        "AUTOAPPLY_SLOT_WAIT_S": "0.5",
        "AUTOAPPLY_RETRY_DELAYS_S": "[0.3, 0.3, 0.3]",
        "AUTOAPPLY_BROWSER_SLOTS": "4",
        # The tests follow each browser to its stop with its last task (test_tabs.py); the bench lingers.
        "AUTOAPPLY_BROWSER_LINGER_S": "0",
    },
    "executor": {"AUTOAPPLY_NAVIGATION_RETRY_DELAYS_S": "[0.3, 0.3, 0.3]", "AUTOAPPLY_NAVIGATION_TIMEOUT_S": "20"},
    "verifier": {
        "AUTOAPPLY_PROOF_TIMEOUT_S": "4",
        "AUTOAPPLY_VERIFY_TIMEOUT_S": "20",
        "AUTOAPPLY_VERIFY_POLL_S": "0.5",
    },
    "takeover": {},
    "intake": {},
}
SERVICES = ("intake", "provisioner", "executor", "verifier", "takeover")
# The model's key the executor is given (a made-up one: the model is the local scripted server).
MODEL_KEY = "sk-ant-e2e-" + "k" * 24
# A task's budget on the model: a few first applications' worth (docs/agent.md, Cost and budget).
MODEL_BUDGET_TOKENS = 60_000


@dataclass
class Watcher:
    """Every event on the bus, decoded, in arrival order."""

    client: Client
    seen: list[Event] = field(default_factory=list)

    @classmethod
    async def start(cls, url: str) -> Watcher:
        watcher = cls(await nats.connect(url))
        for family in FAMILIES:
            await watcher.client.subscribe(f"{family}.>", cb=watcher._on)
        return watcher

    async def _on(self, msg: Msg) -> None:
        self.seen.append(decode(msg.subject, msg.data))

    def of(self, task_id: UUID, event_type: str | None = None) -> list[Event]:
        return [e for e in self.seen if e.task_id == task_id and event_type in (None, e.TYPE)]

    async def wait_for(self, task_id: UUID, *types: str, timeout_s: float = 60.0) -> Event:
        """The first event of the task of one of these types (task.failed always ends the wait)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in self.of(task_id):
                if event.TYPE in types:
                    return event
                if event.TYPE == "task.failed" and "task.failed" not in types:
                    raise AssertionError(f"the task failed: {event.model_dump_json()}")
            await asyncio.sleep(0.1)
        last = self.of(task_id)[-2:]
        raise AssertionError(f"no {types} within {timeout_s} s; last events: {[e.model_dump_json() for e in last]}")

    async def close(self) -> None:
        await self.client.drain()


@dataclass
class Stack:
    children: dict[str, Child]
    sandbox: Sandbox
    nats_url: str
    dsn: str
    folder: Path
    traces_url: str | None = None  # the trace explorer every service exports to

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.children['intake'].env['AUTOAPPLY_HTTP_PORT']}"

    @property
    def objects(self) -> Path:
        return self.folder / "files" / "objects"

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{child.tail()}" for name, child in self.children.items())


def tracing(traces_url: str | None) -> dict[str, str]:
    """Spans over OTLP to the explorer, sent within a fraction of a second; task answers link to it."""
    if traces_url is None:
        return {}
    return {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": traces_url + "/v1/traces",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "AUTOAPPLY_TRACE_URL_TEMPLATE": traces_url + "/traces/{trace_id}",
    }


def model(url: str | None) -> dict[str, str]:
    """The executor's model settings, the variables a user with a key sets, at the local scripted server."""
    if url is None:
        return {}
    return {
        "AUTOAPPLY_ANTHROPIC_API_KEY": MODEL_KEY,
        "AUTOAPPLY_ANTHROPIC_BASE_URL": url,
        "AUTOAPPLY_LLM_BUDGET_TOKENS": str(MODEL_BUDGET_TOKENS),
        "AUTOAPPLY_LLM_MAX_RETRIES": "1",
    }


def spawn(
    folder: Path,
    sandbox: Sandbox,
    nats_url: str,
    dsn: str,
    redis_url: str,
    traces_url: str | None = None,
    model_url: str | None = None,
) -> Stack:
    secret = secrets.token_hex(32)
    children: dict[str, Child] = {}
    envs = {
        name: service_env(name, nats_url, dsn, redis_url, folder) | FAST[name] | tracing(traces_url)
        for name in SERVICES
    }
    for name in SERVICES:
        env = envs[name]
        env["AUTOAPPLY_SECRET_KEY"] = secret  # intake's tokens, the vaults: one secret for the stack
        env["AUTOAPPLY_DATA_DIR"] = str(folder / "files")  # one object store for every service
        if name == "intake":  # notification mail goes to the sandbox's SMTP sink
            env |= {"AUTOAPPLY_SMTP_HOST": "127.0.0.1", "AUTOAPPLY_SMTP_PORT": str(sandbox.smtp_port)}
            # The job seeker's page opens its live view at takeover.
            env["AUTOAPPLY_TAKEOVER_PUBLIC_URL"] = f"http://127.0.0.1:{envs['takeover']['AUTOAPPLY_HTTP_PORT']}"
        if name == "executor":
            env |= model(model_url)
        if name == "takeover":
            env["AUTOAPPLY_INTAKE_URL"] = f"http://127.0.0.1:{envs['intake']['AUTOAPPLY_HTTP_PORT']}"
        children[name] = Child(f"services.{name}", env, folder / f"{name}.log")
    return Stack(children, sandbox, nats_url, dsn, folder, traces_url)


async def healthy(stack: Stack) -> None:
    for child in stack.children.values():
        await wait_healthy(child, timeout_s=150)  # five services importing at once, on a busy machine


def candidate(email: str, job: dict[str, Any], leave_out: str | None = None) -> dict[str, Any]:
    """A made-up person whose profile answers the job's questions (all but `leave_out`'s label)."""
    from autoapply.profile_file import parse
    from bench.forms import PROFILE

    profile = parse(PROFILE.format(email=email, resume="resume.pdf"), "e2e profile")
    answers = {q: a.answer for q, a in profile.answers.items()}
    answers |= {q["label"]: "3" for q in job["questions"] if q["key"] == "years_skill"}
    # Questions of this job the profile has no answer for: the user's own words (as the answer bank holds them).
    for question in job["questions"]:
        if question["required"] and question["label"] not in answers:
            given = answer_for(question)
            answers[question["label"]] = given[0] if isinstance(given, list) else given
    if leave_out is not None:
        answers.pop(leave_out, None)
    return profile.model_dump(mode="json") | {"answers": answers}


async def applicant(
    http: httpx.AsyncClient, job: dict[str, Any], leave_out: str | None = None, allow_llm: bool = False
) -> tuple[User, bytes]:
    """A new user with a profile for the job (allowing the model's drafts where asked) and a resume
    on file; returns the resume's bytes."""
    user = await new_user(http)
    profile = candidate(user.email, job, leave_out)
    if allow_llm:
        profile["preferences"] = {**profile["preferences"], "allow_llm": True}
    answer = await http.put("/api/v1/profile", headers=user.auth, json=profile)
    assert answer.status_code in (200, 201), answer.text
    resume = make_pdf(f"Ada Example - Resume {uuid.uuid4().hex[:6]}")
    sent = await http.post(
        "/api/v1/resumes", headers=user.auth, files={"file": ("Ada_Example_Resume.pdf", resume, "application/pdf")}
    )
    assert sent.status_code == 201, sent.text
    return user, resume


def operator_token(stack: Stack) -> str:
    """An operator's access token, as intake would issue it (the stack shares one secret)."""
    from runtime.tokens import Principal, access_token

    who = Principal(uuid.uuid4(), "operator", uuid.uuid4())
    return access_token(who, stack.children["takeover"].env["AUTOAPPLY_SECRET_KEY"], ttl_s=600)


def takeover_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.children['takeover'].env['AUTOAPPLY_HTTP_PORT']}"
