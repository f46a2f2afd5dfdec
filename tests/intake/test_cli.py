"""The CLI through the HTTP API of a real intake: login, profile import, apply with live progress
until each task ends, tasks, task."""

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.intake.client import PASSWORD, Intake, User
from tests.intake.documents import pdf
from tests.support import eventually

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def cli_env(intake: Intake, tmp_path: Path) -> dict[str, str]:
    files = str(tmp_path / "credentials.json")
    return {**os.environ, "AUTOAPPLY_API_URL": intake.url, "AUTOAPPLY_CREDENTIALS": files, "COLUMNS": "220"}


async def cli(env: dict[str, str], *args: str, stdin: str = "") -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "autoapply.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str]:
    proc = await cli(env, *args)
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 60)
    return proc.returncode or 0, out.decode() + err.decode()


async def test_login_import_apply_follow_and_read(intake: Intake, http: httpx.AsyncClient, tmp_path: Path) -> None:
    env = cli_env(intake, tmp_path)
    email = f"cli-{uuid.uuid4().hex[:8]}@example.org"
    code, out = await run(
        env, "login", "--email", email, "--register", "Cli Person", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0, out
    assert oct((tmp_path / "credentials.json").stat().st_mode & 0o777) == "0o600"
    code, out = await run(env, "profile", "import", str(ROOT / "examples" / "profile.yaml"))
    assert code == 0 and "answers in the answer bank" in out, out
    resume = tmp_path / "resume.pdf"
    resume.write_bytes(pdf())
    jobs = [f"https://jobs.example.org/cli/{uuid.uuid4().hex[:6]}" for _ in range(2)]
    apply = await cli(env, "apply", *jobs, "--resume", str(resume))
    login = (await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})).json()
    user = User(email, login["user_id"], login)

    async def both_listed() -> bool:
        return len((await http.get("/api/v1/tasks", headers=user.auth)).json()["tasks"]) == 2

    await eventually(both_listed, timeout_s=30)
    tasks = (await http.get("/api/v1/tasks", headers=user.auth)).json()["tasks"]
    await asyncio.sleep(1)  # the CLI is following them now; ending them ends its wait
    for task in tasks:
        assert (await http.post(f"/api/v1/tasks/{task['task_id']}/cancel", headers=user.auth)).status_code == 202
    out, err = await asyncio.wait_for(apply.communicate(), 60)
    text = out.decode()
    assert apply.returncode == 0, text + err.decode()
    assert text.count("CANCELLED") >= 2 and all(t["task_id"] in text for t in tasks)
    code, listed = await run(env, "tasks")
    assert code == 0 and all(t["task_id"] in listed for t in tasks)
    code, one = await run(env, "task", tasks[0]["task_id"])
    assert code == 0 and "task.queued" in one and "task.cancelled" in one


async def test_cli_errors_say_why(intake: Intake, tmp_path: Path) -> None:
    env = cli_env(intake, tmp_path)
    code, out = await run(env, "tasks")
    assert code == 1 and "not logged in" in out
    bad = tmp_path / "profile.yaml"
    bad.write_text("first_name: Ada\nlast_name: Example\nemail: not-an-email\n")
    code, out = await run(env, "profile", "import", str(bad))
    assert code == 2 and "line 3" in out and "email" in out


async def test_an_operator_is_made_by_a_command_and_signs_in_again(
    intake: Intake, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    from runtime.tokens import verify_access
    from tests.intake.client import new_user

    env = cli_env(intake, tmp_path)
    user = await new_user(http)
    code, out = await run(env, "operator", user.email.upper(), "--database-url", intake.dsn)
    assert code == 0 and "is now an operator" in out, out
    assert (await http.get("/api/v1/me", headers=user.auth)).status_code == 401  # the old role's session ended
    login = (await http.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})).json()
    assert verify_access(login["access_token"], intake.servers["secret"]).role == "operator"

    code, out = await run(env, "operator", user.email, "--remove", "--database-url", intake.dsn)
    assert code == 0 and "ordinary user" in out, out
    login = (await http.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})).json()
    assert verify_access(login["access_token"], intake.servers["secret"]).role == "user"

    code, out = await run(env, "operator", "nobody-here@example.org", "--database-url", intake.dsn)
    assert code == 1 and "sign up first" in out, out
