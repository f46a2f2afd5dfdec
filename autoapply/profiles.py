"""`autoapply profiles`: the provisioner's browser profiles, their bindings, state and memory.

Read from the provisioner's schema in the stack's PostgreSQL; memory is the PSS of each running
browser's process tree on this machine. Proxy credentials are never shown.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg

from services.provisioner import processes, store

COLUMNS = ("PROFILE", "PLATFORM", "PROVIDER", "STATE", "PROXY", "EXIT IP", "PSS MiB", "TASKS", "FINGERPRINT")


def collect(dsn: str) -> list[dict[str, Any]]:
    """Every profile as a JSON-ready dict; [] when the provisioner has not made its tables yet."""
    return asyncio.run(_collect(dsn))


async def _collect(dsn: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "provisioner"})
    try:
        rows = await store.list_profiles(conn)
    except asyncpg.UndefinedTableError:
        return []
    finally:
        await conn.close()
    return [_entry(row) for row in rows]


def _entry(row: asyncpg.Record) -> dict[str, Any]:
    running = row["task_id"] is not None
    pss = processes.pss_mib(row["pid"]) if running else None
    if not running:
        state = "pooled" if row["user_id"] is None else "idle"
    else:
        state = "running" if pss is not None or row["provider"] != "local" else "lost"
        if state == "running" and row.get("lingering_until") is not None:
            state = "lingering"  # up after its last task, for the account's next one
    return {
        "profile_id": str(row["profile_id"]),
        "provider": row["provider"],
        "platform": row["platform"],
        "user_id": row["user_id"] and str(row["user_id"]),
        "state": state,
        "task_id": row["task_id"] and str(row["task_id"]),
        "holder": row["holder"],
        "pid": row["pid"],
        "cdp_url": row["cdp_url"],
        "live_view_url": row["live_view_url"],
        "pss_mib": pss,
        "proxy": row["proxy_server"],
        "exit_ip": row["exit_ip"] and str(row["exit_ip"]),
        "fingerprint": store.fingerprint_of(row).summary(),
        "tasks_served": row["tasks_served"],
        "last_used_at": row["last_used_at"] and row["last_used_at"].isoformat(),
    }


def running(dsn: str) -> list[dict[str, Any]]:
    """The browsers that serve a task now (for `autoapply status`)."""
    return [p for p in collect(dsn) if p["task_id"] is not None]


def render(profiles: list[dict[str, Any]]) -> str:
    if not profiles:
        return "no browser profiles yet"
    table = [COLUMNS] + [
        (
            p["profile_id"][:8],
            p["platform"],
            p["provider"],
            p["state"] + (f" ({p['task_id'][:8]})" if p["task_id"] else ""),
            p["proxy"] or "direct",
            p["exit_ip"] or "-",
            f"{p['pss_mib']:.0f}" if p["pss_mib"] is not None else "-",
            str(p["tasks_served"]),
            p["fingerprint"],
        )
        for p in profiles
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(COLUMNS) - 1)]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in table
    )


def render_browsers(browsers: list[dict[str, Any]] | None) -> list[str]:
    if browsers is None:
        return ["browsers: unavailable (postgres is down)"]
    if not browsers:
        return ["browsers: none running"]
    lines = [f"{'BROWSER':<10} {'TASK':<10} {'PID':>7} {'PSS MiB':>8}  CDP"]
    for b in browsers:
        pss = f"{b['pss_mib']:.0f}" if b["pss_mib"] is not None else "-"
        lines.append(f"{b['profile_id'][:8]:<10} {b['task_id'][:8]:<10} {b['pid'] or '-':>7} {pss:>8}  {b['cdp_url']}")
    return lines


def dumps(profiles: list[dict[str, Any]]) -> str:
    return json.dumps(profiles, indent=2, sort_keys=True)
