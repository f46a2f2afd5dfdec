"""Browsers: 8 local profiles, each loading a sandbox application form.

Seconds from start to a usable CDP endpoint (the provider's start returns once /json/version
answers; Playwright then attaches), and the PSS of each browser's process tree while all eight run
with their form loaded. Goal: at most 300 MiB per browser, under 2 s to a usable endpoint.

    ./dev bench browsers [--count 8] [--site greenhouse]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, async_playwright

from autoapply.local.sandbox_site import SandboxSite
from bench._report import emit
from services.provisioner import fingerprint, processes
from services.provisioner.providers import ProfileSpec, Session
from services.provisioner.providers.local import LocalProvider

# Let each page settle (scripts run, layout done) before memory is read.
SETTLE_S = 2.0


async def start_one(provider: LocalProvider, index: int) -> tuple[ProfileSpec, Session, float]:
    spec = ProfileSpec(f"bench-{index}", fingerprint.generate())
    await provider.create(spec)
    began = time.monotonic()
    session = await provider.start(spec)
    return spec, session, time.monotonic() - began


async def load_form(browser: Browser, url: str) -> None:
    context = browser.contexts[0]
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto(url, wait_until="load")
    await page.wait_for_selector("form")


async def run(count: int, site: str, root: Path) -> dict[str, Any]:
    sandbox = SandboxSite(root / "sandbox")
    sandbox.start()
    provider = LocalProvider(root / "browsers", block_dns=True)
    specs: list[ProfileSpec] = []
    try:
        async with httpx.AsyncClient() as client:
            jobs = (await client.get(f"{sandbox.url}/_admin/jobs", params={"site": site})).json()["jobs"]
        started = []
        for i in range(count):  # one after another, as a provisioner with free slots does
            started.append(await start_one(provider, i))
            specs.append(started[-1][0])
        async with async_playwright() as pw:
            attach: list[float] = []
            browsers = []
            for _, session, _ in started:
                began = time.monotonic()
                browsers.append(await pw.chromium.connect_over_cdp(session.cdp_url))
                attach.append(time.monotonic() - began)
            await asyncio.gather(*(load_form(b, jobs[i % len(jobs)]["url"]) for i, b in enumerate(browsers)))
            await asyncio.sleep(SETTLE_S)
            pss = [processes.pss_mib(session.pid) or 0.0 for _, session, _ in started]
            for b in browsers:
                await b.close()
    finally:
        for spec in specs:
            await provider.stop(spec)
        sandbox.stop()
    ready = [s + a for (_, _, s), a in zip(started, attach, strict=True)]
    return {"pss": pss, "ready": ready, "start": [s for _, _, s in started], "attach": attach}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--site", default="greenhouse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-browsers-") as root:
        figures = asyncio.run(run(args.count, args.site, Path(root)))
    pss, ready = figures["pss"], figures["ready"]
    for i, (m, r) in enumerate(zip(pss, ready, strict=True)):
        print(f"browser {i}: {m:7.1f} MiB PSS, usable CDP in {r:.2f} s")
    emit(
        {
            "bench": "browsers",
            "browsers": len(pss),
            "site": args.site,
            "pss_mib_median": round(statistics.median(pss), 1),
            "pss_mib_max": round(max(pss), 1),
            "cdp_ready_s_median": round(statistics.median(ready), 3),
            "cdp_ready_s_max": round(max(ready), 3),
            "start_s_median": round(statistics.median(figures["start"]), 3),
            "attach_s_median": round(statistics.median(figures["attach"]), 3),
        }
    )


if __name__ == "__main__":
    main()
