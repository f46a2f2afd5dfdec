"""Scripted browser-use models for the local Messages API server: they read the page as
browser-use shows it (its numbered interactive elements) and answer with its AgentOutput tool.

`explorer` is what our agent needs: click through to the form, then stop. `applicant` is a
plain browser-use agent doing the whole application itself, field by field, as the baseline of
the tokens benchmark; both play the same model server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench._model import Reply, Script

ELEMENT = re.compile(r"\*?\[(\d+)\]<(\w+)([^>]*)>")
# Words of the links and buttons that lead towards an application, most telling first.
TOWARDS = ("apply", "journey", "continue", "details", "proceed", "next", "start")
FORM_INPUTS = ("text", "email", "file")
MAX_ACTIONS = 5  # browser-use's default actions per step


@dataclass(frozen=True)
class Element:
    index: int
    tag: str
    attrs: str
    text: str
    label: str  # the page text just before it

    def attr(self, name: str) -> str:
        found = re.search(rf"\b{name}=([^ />]+)", self.attrs)
        return found.group(1).strip("'\"") if found else ""


def _state(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content if isinstance(b, dict))
    start = text.rfind("<browser_state>")
    return text[start:] if start >= 0 else ""


def elements(body: dict[str, Any]) -> list[Element]:
    lines = _state(body).splitlines()
    found: list[Element] = []
    last_text = ""
    for i, line in enumerate(lines):
        match = ELEMENT.search(line)
        if not match:
            if line.strip() and not line.startswith("\t"):
                last_text = line.strip()
            continue
        following = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("\t") else ""
        found.append(Element(int(match.group(1)), match.group(2).lower(), match.group(3), following, last_text))
    return found


def output(actions: list[dict[str, Any]], goal: str) -> Reply:
    payload = {"evaluation_previous_goal": "ok", "memory": goal, "next_goal": goal, "action": actions}
    return Reply.tool("AgentOutput", payload)


def done(success: bool, words: str) -> Reply:
    return output([{"done": {"text": words, "success": success, "files_to_display": []}}], words)


def has_form(found: list[Element]) -> bool:
    return any(e.tag == "textarea" or (e.tag == "input" and e.attr("type") in FORM_INPUTS) for e in found)


def _towards(found: list[Element], clicked: set[str]) -> Element | None:
    for word in TOWARDS:
        for element in found:
            if element.tag in ("a", "button") and word in element.text.lower() and element.text not in clicked:
                return element
    return None


def explorer() -> Script:
    clicked: set[str] = set()

    def step(body: dict[str, Any]) -> Reply:
        found = elements(body)
        if has_form(found):
            return done(True, "the application form is open")
        target = _towards(found, clicked)
        if target is None:
            return done(False, "no way to an application form")
        clicked.add(target.text)
        return output([{"click": {"index": target.index}}], f"open {target.text}")

    return step


Values = Callable[[Element], str | None]


def applicant(value_of: Values, resume: str) -> Script:
    """Fill every field it can name (five actions a step, as browser-use allows), attach the
    resume, press the way on, and stop when the page confirms."""
    filled: set[tuple[str, str]] = set()
    clicked: set[str] = set()

    def step(body: dict[str, Any]) -> Reply:
        found = elements(body)
        text = _state(body).lower()
        if "application received" in text or "thank you for applying" in text:
            return done(True, "applied")
        actions = _fills(found, value_of, resume, filled)
        if actions:
            return output(actions[:MAX_ACTIONS], "fill the form")
        target = _send(found, clicked)
        if target is None:
            return done(False, "stuck")
        clicked.add(f"{target.text}:{len(clicked)}")
        return output([{"click": {"index": target.index}}], f"press {target.text}")

    return step


def _fills(found: list[Element], value_of: Values, resume: str, filled: set[tuple[str, str]]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for e in found:
        key = (e.label, e.attr("name") or e.attr("id") or str(e.index))
        if key in filled:
            continue
        kind = e.attr("type")
        if e.tag == "input" and kind == "file":
            actions.append({"upload_file": {"index": e.index, "path": resume}})
        elif e.tag in ("input", "textarea") and kind not in ("radio", "checkbox", "hidden", "submit"):
            value = value_of(e)
            if value is None:
                continue
            actions.append({"input": {"index": e.index, "text": value, "clear": True}})
        elif e.tag == "select":
            value = value_of(e)
            if value is None:
                continue
            actions.append({"select_dropdown": {"index": e.index, "text": value}})
        elif e.tag == "input" and kind in ("radio", "checkbox") and value_of(e) == "check":
            actions.append({"click": {"index": e.index}})
        else:
            continue
        filled.add(key)
    return actions


def _send(found: list[Element], clicked: set[str]) -> Element | None:
    words = ("submit", "send", "continue", "next", "apply", "journey", "details")
    for word in words:
        for e in found:
            if e.tag in ("button", "a", "input") and word in (e.text or e.attr("value")).lower():
                return e
    return None
