"""The sandbox as a real subprocess, and an admin-API client for tests."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sandbox.pdf import make_pdf as sandbox_pdf

REPO = Path(__file__).resolve().parents[2]
# One sandbox serves a whole package or session, and every test of it fails if it does not start:
# it may take its time on a machine busy with the rest of the suite (a quiet one starts it in a second).
START_TIMEOUT_S = 90


@dataclass
class Sandbox:
    http: str
    smtp_port: int
    state_dir: Path
    proc: subprocess.Popen[str]
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.http, timeout=10)

    def get(self, path: str, **params: str) -> Any:
        resp = self.client.get(path, params=params)
        resp.raise_for_status()
        return resp.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        resp = self.client.post(path, json=body)
        resp.raise_for_status()
        return resp.json()

    def job(self, site: str, index: int = 0) -> dict[str, Any]:
        jobs: list[dict[str, Any]] = self.get("/_admin/jobs", site=site)["jobs"]
        return jobs[index]

    def set_flags(self, site: str, job_id: str, **flags: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.post(f"/_admin/jobs/{site}/{job_id}", flags)
        return result

    def clear_flags(self, site: str, job_id: str) -> None:
        self.client.delete(f"/_admin/jobs/{site}/{job_id}").raise_for_status()

    def submissions(self, **filters: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("/_admin/submissions", **filters)["submissions"]
        return found

    def mail(self, to: str, subject_has: str, timeout_s: float = 5) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            for msg in self.get("/_admin/mailbox", to=to)["messages"]:
                if subject_has in msg["subject"]:
                    return dict(msg)
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {to} with {subject_has!r}")
            time.sleep(0.05)


def start_sandbox(state_dir: Path, *extra: str) -> Sandbox:
    cmd = [
        sys.executable,
        "-m",
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--smtp-port",
        "0",
        "--state-dir",
        str(state_dir),
        *extra,
    ]
    errors = (state_dir.parent / f"{state_dir.name}.stderr").open("w")
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=errors, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"}
    )
    errors.close()
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
    if not ready:
        stop_sandbox(proc)
        raise AssertionError("sandbox did not print its addresses in time")
    info = json.loads(proc.stdout.readline())
    return Sandbox(info["http"], info["smtp_port"], state_dir, proc)


def stop_sandbox(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    if proc.stdout:
        proc.stdout.close()
    return code


def make_pdf(text: str, *more: str) -> bytes:
    """A small valid one-page PDF showing `text` and any further lines below it."""
    return sandbox_pdf(text, *more)
