"""Chromium on this host: where it is, the flags every browser we start gets, its crash handlers."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import psutil

# Debian's launcher script first (it sources /etc/chromium.d), then other common names.
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PATH_NAMES = ("chromium", "chromium-browser")
# Features off in every browser we start. The first four: no background traffic. The omnibox's
# WebUI popups (Chromium 15x) load three chrome:// pages into a renderer at every start, which nobody
# sees headless and which cost about 1 s of CPU per browser start on a 2-core machine (docs/bench.md);
# AI Mode and Lens ask Google for eligibility, and the search engine is preconnected, for nothing.
DISABLED_FEATURES = (
    "MediaRouter",
    "OptimizationHints",
    "Translate",
    "NetworkTimeServiceQuerying",
    "WebUIOmniboxPopup",
    "WebUIOmniboxFullPopup",
    "WebUIOmniboxAimPopup",
    "AimEnabled",
    "LensOverlay",
    "PreconnectToSearch",
)
# Quiet flags checked on Debian 12's Chromium: no first-run UI, no background traffic. One
# --disable-features only: Chromium keeps the last one it is given.
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
    f"--disable-features={','.join(DISABLED_FEATURES)}",
    "--metrics-recording-only",
    "--disable-breakpad",
    "--password-store=basic",
    "--use-mock-keychain",
)
# An account's browser serves several tasks, each in a window of its own (tabs.py): a window on
# which another lies, or that is not in front, must go on running its page at full speed.
BACKGROUND_FLAGS = (
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
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
    flags = [*QUIET_FLAGS, *BACKGROUND_FLAGS]
    if headless:
        flags.insert(0, "--headless")
    if os.geteuid() == 0:
        flags.insert(0, "--no-sandbox")  # Chromium's sandbox cannot start as root
    if block_dns:
        flags.append(BLOCK_DNS_FLAG)
    return flags


# Memory per browser (the benchmark's goal is at most 300 MiB PSS): one renderer process serves
# every site, and features that keep work or caches in the background are off.
MEMORY_FLAGS = (
    "--renderer-process-limit=1",
    "--disable-site-isolation-trials",
    "--js-flags=--max-old-space-size=256",
    "--disk-cache-size=33554432",
)
