"""Scripted models for the local Messages API server (bench/_model.py): functions of the request
that answer as a willing model would, the same for every caller of one test or benchmark.

`form_answers` answers our `answer_fields` tool from the data in the prompt; with `overreach`
it also answers fields it was never asked about, and facts, as a careless model might.
"""

from __future__ import annotations

import json
from typing import Any

from bench._model import Reply, Script

# What an overreaching model claims for every field it can name, asked or not.
OVERREACH = "10 years"


def _prompt(body: dict[str, Any]) -> dict[str, Any]:
    content = body["messages"][-1]["content"]
    text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    data: dict[str, Any] = json.loads(text)
    return data


def _written(field: dict[str, Any], data: dict[str, Any]) -> str:
    who = data.get("applicant_data", {}).get("applicant", {})
    job = data.get("applicant_data", {}).get("job", {})
    title = who.get("current_title", "my current role")
    return (
        f"As a {title}, I would like to bring what I have learned to {job.get('page_title', 'this role')}. "
        f"({field['label']})"
    )[: int(field.get("max_characters", 300))]


def _chosen(field: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    prefs = data.get("applicant_data", {}).get("preferences", {})
    options = field.get("options") or []
    if prefs.get("wants_remote_work") and "Remote" in options:
        return {"field": field["field"], "value": "Remote", "based_on": ["wants_remote_work"]}
    saved = data.get("applicant_data", {}).get("saved_answers", {})
    for question, answer in saved.items():
        if answer in options:
            return {"field": field["field"], "value": answer, "based_on": [question]}
    return None


def form_answers(overreach: bool = False) -> Script:
    def answer(body: dict[str, Any]) -> Reply:
        data = _prompt(body)
        answers: list[dict[str, Any]] = []
        for field in data.get("fields", []):
            if "options" in field:
                chosen = _chosen(field, data)
                if chosen is not None:
                    answers.append(chosen)
                elif overreach:
                    answers.append({"field": field["field"], "value": field["options"][0]})
            else:
                answers.append({"field": field["field"], "value": _written(field, data)})
        if overreach:
            asked = {f["field"] for f in data.get("fields", [])}
            answers += [{"field": f"f{n}", "value": OVERREACH, "based_on": ["applicant"]} for n in range(1, 30)]
            answers = [a for a in answers if a["field"] in asked or a["value"] == OVERREACH]
        return Reply.tool("answer_fields", {"answers": answers})

    return answer
