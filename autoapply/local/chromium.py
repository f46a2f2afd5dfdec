"""Chromium for local runs and tests: Debian's build, or Playwright's own where installed."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import psutil

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import answers_ok, get_json
from autoapply.local.server import LocalServer

# Debian's launcher script first (it sources /etc/chromium.d), then other common names.
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PATH_NAMES = ("chromium", "chromium-browser")
# Quiet flags checked on Debian 12's Chromium: no first-run UI, no background traffic.
QUIET_FLAGS = (
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-quic",
    "--disable-features=MediaRouter,OptimizationHints,Translate,NetworkTimeServiceQuerying",
    "--metrics-recording-only",
    "--disable-breakpad",
    "--password-store=basic",
    "--use-mock-keychain",
)
# Resolves no host name but loopback, so nothing leaves the machine. Sandbox and test runs only: a
# real user's browser must reach the real job sites.
BLOCK_DNS_FLAG = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


def find_chromium() -> Path:
    """AUTOAPPLY_CHROMIUM if set, else Debian's chromium, else Playwright's downloaded build."""
    override = os.environ.get("AUTOAPPLY_CHROMIUM")
    if override:
        return Path(override)
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    for name in PATH_NAMES:
        if shutil.which(name):
            return Path(str(shutil.which(name)))
    own = _playwright_chromium()
    if own is not None:
        return own
    raise FileNotFoundError("no Chromium found; install the chromium package (./dev setup does)")


def _playwright_chromium() -> Path | None:
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    found = sorted(glob.glob(os.path.join(root, "chromium-*", "chrome-linux*", "chrome")), reverse=True)
    return Path(found[0]) if found else None


def browser_env(home: Path) -> dict[str, str]:
    """Environment giving Chromium a HOME of its own.

    Chromium starts crash handlers that leave its process group and live in ~/.config; with a HOME
    of our own they are recognisable (stop_crash_handlers) and nothing is written to the real home.
    """
    home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "HOME": str(home)}


def stop_crash_handlers(home: Path) -> None:
    """End the crash handlers of a stopped Chromium that was given `home` (they exit soon anyway)."""
    marker = f"--database={home}/"
    handlers = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(arg.startswith(marker) for arg in proc.info["cmdline"] or ()):
            handlers.append(proc)
    for proc in handlers:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    for proc in psutil.wait_procs(handlers, timeout=3.0)[1]:
        proc.kill()


def chromium_flags(*, headless: bool = True, block_dns: bool = False) -> list[str]:
    """Flags for a Chromium we start ourselves (Playwright adds its own on top of these)."""
    flags = list(QUIET_FLAGS)
    if headless:
        flags.insert(0, "--headless")
    if os.geteuid() == 0:
        flags.insert(0, "--no-sandbox")  # Chromium's sandbox cannot start as root
    if block_dns:
        flags.append(BLOCK_DNS_FLAG)
    return flags


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
