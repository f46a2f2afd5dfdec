"""What a step's screenshot costs Chromium, by how it is taken: one browser started as the
provisioner starts it, a sandbox job page, N shots per way, the browser's processes' CPU by type.

    python -m bench.shots [--shots 10] [--site greenhouse] [--rounds 3]

Ways, interleaved round by round so the machine's load falls on each alike: Playwright's PNG of the
viewport (the executor's until 2026-12-02), Playwright's JPEG at quality 70, and an idle wait as
long as the PNG round took (what the browser costs with the page open and nothing asked). Then one
JSON line: per way, CPU seconds per shot by process type, median over rounds.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
from playwright.async_api import Page

from bench._report import emit
from services.executor.browser import Driver
from services.provisioner.fingerprint import generate
from services.provisioner.providers import ProfileSpec
from services.provisioner.providers.local import LocalProvider
from tests.sandbox.harness import start_sandbox, stop_sandbox


def by_type(pid: int) -> dict[str, float]:
    """CPU seconds of the browser and its helpers so far, by Chromium's --type (browser when none)."""
    root = psutil.Process(pid)
    out: dict[str, float] = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            kind = next((a[7:] for a in proc.cmdline() if a.startswith("--type=")), "browser")
            t = proc.cpu_times()
        except psutil.Error:
            continue
        out[kind] = out.get(kind, 0.0) + t.user + t.system
    return out


def spent(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    return {k: (after.get(k, 0.0) - before.get(k, 0.0)) / n for k in after}


async def png(page: Page) -> None:
    await page.screenshot(type="png", timeout=10_000)


async def jpeg(page: Page) -> None:
    await page.screenshot(type="jpeg", quality=70, timeout=10_000)


async def measure(
    page: Page, pid: int, shots: int, shoot: Callable[[Page], Awaitable[None]]
) -> tuple[dict[str, float], float]:
    before, began = by_type(pid), time.monotonic()
    for _ in range(shots):
        await shoot(page)
    return spent(before, by_type(pid), shots), time.monotonic() - began


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    sandbox = start_sandbox(folder / "sandbox")
    provider = LocalProvider(folder / "browsers", block_dns=True)
    spec = ProfileSpec("bench-shots", generate(), None, None)
    await provider.create(spec)
    session = await provider.start(spec)
    assert session.pid is not None, "the local provider names its browser's process"
    pid = session.pid
    driver = Driver()
    rounds: dict[str, list[dict[str, float]]] = {"png": [], "jpeg": [], "idle": []}
    try:
        async with driver.attach(session.cdp_url) as attached:
            page = attached.page
            await page.goto(sandbox.job(args.site)["url"], wait_until="load")
            for _ in range(args.rounds):
                cost, took = await measure(page, pid, args.shots, png)
                rounds["png"].append(cost)
                rounds["jpeg"].append((await measure(page, pid, args.shots, jpeg))[0])
                before = by_type(pid)
                await asyncio.sleep(took)
                rounds["idle"].append(spent(before, by_type(pid), args.shots))
    finally:
        await driver.close()
        await provider.stop(spec)
        sandbox.client.close()
        stop_sandbox(sandbox.proc)
    return {way: _median(costs) for way, costs in rounds.items()}


def _median(costs: list[dict[str, float]]) -> dict[str, float]:
    kinds = {k for c in costs for k in c}
    per = {k: round(statistics.median(c.get(k, 0.0) for c in costs), 4) for k in sorted(kinds)}
    return per | {"all": round(sum(per.values()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site", default="greenhouse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shots-") as folder:
        result = asyncio.run(run(args, Path(folder)))
    result["load_average_1m"] = round(psutil.getloadavg()[0], 2)
    emit(result)


if __name__ == "__main__":
    main()
