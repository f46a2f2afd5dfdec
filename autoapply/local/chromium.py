"""Chromium for local runs and tests, as a local server with remote debugging on loopback."""

from __future__ import annotations

from pathlib import Path

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import answers_ok, get_json
from autoapply.local.server import LocalServer

# One copy of where Chromium is and how it is started: the provisioner's (services may not import
# autoapply/, so the stack imports it from there).
from services.provisioner.chromium import (
    BLOCK_DNS_FLAG,
    QUIET_FLAGS,
    browser_env,
    chromium_flags,
    find_chromium,
    stop_crash_handlers,
)

__all__ = [
    "BLOCK_DNS_FLAG",
    "QUIET_FLAGS",
    "ChromiumServer",
    "browser_env",
    "chromium_flags",
    "find_chromium",
    "stop_crash_handlers",
]


class ChromiumServer(LocalServer):
    """A Chromium with remote debugging (CDP) on loopback and a profile of its own."""

    name = "chromium"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        block_dns: bool = False,
        headless: bool = True,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        self.block_dns = block_dns
        self.headless = headless
        self.profile_dir = self.directory / "profile"
        self.home = self.directory / "home"

    @property
    def url(self) -> str:
        """The CDP HTTP endpoint (for Playwright's connect_over_cdp)."""
        return f"http://{LOOPBACK}:{self.port}"

    def websocket_url(self) -> str:
        _, info = get_json(f"{self.url}/json/version")
        return str(info["webSocketDebuggerUrl"])

    def command(self) -> list[str]:
        return [
            str(find_chromium()),
            *chromium_flags(headless=self.headless, block_dns=self.block_dns),
            f"--remote-debugging-port={self.port}",
            f"--remote-debugging-address={LOOPBACK}",
            f"--user-data-dir={self.profile_dir}",
            "about:blank",
        ]

    def env(self) -> dict[str, str]:
        return browser_env(self.home)

    def healthy(self) -> bool:
        return answers_ok(f"{self.url}/json/version")

    def stop(self) -> str:
        outcome = super().stop()
        stop_crash_handlers(self.home)
        return outcome

    def kill(self) -> bool:
        killed = super().kill()
        stop_crash_handlers(self.home)
        return killed
