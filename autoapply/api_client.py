"""The CLI's side of the HTTP API: where it is, the saved login, and requests that refresh it."""

import json
import os
from pathlib import Path
from typing import Any

import httpx

from autoapply.stack import default_home

API_ENV = "AUTOAPPLY_API_URL"
CREDENTIALS_ENV = "AUTOAPPLY_CREDENTIALS"
TIMEOUT_S = 30.0


class ApiError(RuntimeError):
    """The API refused or could not be reached; the message says why, for the user."""


def api_url(given: str | None) -> str:
    """--api, else $AUTOAPPLY_API_URL, else the local stack's intake."""
    if given or os.environ.get(API_ENV):
        return (given or os.environ[API_ENV]).rstrip("/")
    state = default_home() / "stack.json"
    try:
        port = json.loads(state.read_text())["ports"]["intake-1.http"]
    except (OSError, ValueError, KeyError):
        raise ApiError(
            f"where is the API? pass --api URL or set {API_ENV} (or start the stack: autoapply up)"
        ) from None
    return f"http://127.0.0.1:{port}"


def credentials_path() -> Path:
    return Path(os.environ.get(CREDENTIALS_ENV) or Path.home() / ".config" / "autoapply" / "credentials.json")


def save_tokens(api: str, tokens: dict[str, Any]) -> None:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    saved = _all_saved()
    saved[api] = {k: tokens[k] for k in ("access_token", "refresh_token")}
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))  # the tokens are secrets: only the owner reads the file


def _all_saved() -> dict[str, Any]:
    try:
        return dict(json.loads(credentials_path().read_text()))
    except (OSError, ValueError):
        return {}


def tokens(api: str) -> dict[str, str]:
    found = _all_saved().get(api)
    if not found:
        raise ApiError(f"not logged in to {api}: run `autoapply login`")
    return dict(found)


def describe(answer: httpx.Response) -> str:
    try:
        body = answer.json()
        return f"{answer.status_code}: {body.get('message') or body.get('error')}"
    except ValueError:
        return f"{answer.status_code}: {answer.text[:200]}"


def sign_in(
    http: httpx.Client, api: str, email: str, password: str, register_as: str | None = None, exists_ok: bool = False
) -> None:
    """Logs in (creating the account first when register_as names it) and saves the tokens.

    With exists_ok, an account that exists already (409 on register) is just logged in to."""
    if register_as is not None:
        made = http.post("/api/v1/auth/register", json={"email": email, "password": password, "name": register_as})
        if made.status_code != 201 and not (exists_ok and made.status_code == 409):
            raise ApiError(describe(made))
    answer = http.post("/api/v1/auth/login", json={"email": email, "password": password})
    if answer.status_code != 200:
        raise ApiError(describe(answer))
    save_tokens(api, answer.json())


class Client:
    """Requests with the saved access token; a 401 refreshes it once and tries again."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.http = httpx.Client(base_url=api, timeout=TIMEOUT_S)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def access_token(self) -> str:
        return tokens(self.api)["access_token"]

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._send(method, path, **kwargs)
            if answer.status_code == 401 and self._refresh():
                answer = self._send(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach {self.api}: {exc}") from None
        return answer

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.access_token()}"}
        return self.http.request(method, path, headers=headers, **kwargs)

    def _refresh(self) -> bool:
        answer = self.http.post("/api/v1/auth/refresh", json={"refresh_token": tokens(self.api)["refresh_token"]})
        if answer.status_code != 200:
            return False
        save_tokens(self.api, answer.json())
        return True

    def ok(self, method: str, path: str, *expected: int, **kwargs: Any) -> Any:
        answer = self.request(method, path, **kwargs)
        if answer.status_code not in (expected or (200,)):
            raise ApiError(describe(answer))
        return answer.json()
