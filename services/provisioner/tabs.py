"""The tabs of an account's browser: each task works in a tab of its own, opened and closed here.

A tab is opened as a window of its own (`newWindow`), so it is always its window's front tab: a
background tab gets no animation frames and throttled timers, and a task filling a form there would
stall while another task's page is on top. The browser's first tab (about:blank) is never a task's:
closing the last task's tab must not close the browser's last window.
"""

import asyncio
import json
from typing import Any

import websockets

from services.provisioner.providers import ProviderError

# Opening or closing a tab takes milliseconds when idle, seconds on a loaded machine (5.5 s seen at
# load 45); a browser silent for this long is not answering.
CDP_TIMEOUT_S = 15.0


async def open_tab(ws_url: str) -> str:
    """Opens a blank tab in the running browser; returns its CDP target id."""
    try:
        answer = await _call(ws_url, "Target.createTarget", {"url": "about:blank", "newWindow": True})
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        raise ProviderError(f"the browser did not open a tab: {exc!r}") from None
    target = answer.get("result", {}).get("targetId")
    if not target:
        raise ProviderError(f"the browser did not open a tab: {answer.get('error')}")
    return str(target)


async def close_tab(ws_url: str | None, target_id: str | None) -> bool:
    """Closes the task's tab; a tab or a browser already gone is not an error. True when it closed."""
    if not ws_url or not target_id:
        return False
    try:
        answer = await _call(ws_url, "Target.closeTarget", {"targetId": target_id})
    except (OSError, TimeoutError, websockets.WebSocketException):
        return False
    return bool(answer.get("result", {}).get("success"))


async def blank_tab(ws_url: str | None, target_id: str | None) -> bool:
    """Empties a finished task's tab (about:blank) so it can serve the account's next task: opening
    a window costs the browser about 0.2 s of CPU, emptying one almost nothing. False when the tab
    or the browser is gone."""
    if not ws_url or not target_id:
        return False
    try:
        async with websockets.connect(ws_url, open_timeout=CDP_TIMEOUT_S, max_size=None) as ws:
            attached = await _ask(ws, 1, "Target.attachToTarget", {"targetId": target_id, "flatten": True})
            session = attached.get("result", {}).get("sessionId")
            if not session:
                return False
            answer = await _ask(ws, 2, "Page.navigate", {"url": "about:blank"}, session)
            await _ask(ws, 3, "Target.detachFromTarget", {"sessionId": session})
    except (OSError, TimeoutError, websockets.WebSocketException):
        return False
    return "result" in answer and not answer["result"].get("errorText")


async def has_tab(ws_url: str, target_id: str | None) -> bool:
    """Whether the browser still has that tab (a person or a crash may have closed it)."""
    if not target_id:
        return False
    try:
        answer = await _call(ws_url, "Target.getTargetInfo", {"targetId": target_id})
    except (OSError, TimeoutError, websockets.WebSocketException):
        return False
    return bool(answer.get("result", {}).get("targetInfo", {}).get("type") == "page")


async def _ask(
    ws: websockets.ClientConnection, call: int, method: str, params: dict[str, Any], session: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"id": call, "method": method, "params": params}
    if session:
        message["sessionId"] = session
    await ws.send(json.dumps(message))
    async with asyncio.timeout(CDP_TIMEOUT_S):
        while True:  # events may come first; the answer carries our id
            answer = json.loads(await ws.recv())
            if answer.get("id") == call:
                return dict(answer)


async def _call(ws_url: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
    async with websockets.connect(ws_url, open_timeout=CDP_TIMEOUT_S, max_size=None) as ws:
        return await _ask(ws, 1, method, params)
