"""YAML files people write by hand (profiles, workflow templates): a mistake names the line it is on.

`load_model` parses the text, validates it against a pydantic model, and turns every validation
error into `NAME line N: key.path: message`, without the offending value (it may be personal data).
"""

from collections.abc import Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class YamlFileError(ValueError):
    """The file is not what it should be; the message names each problem's key and line."""


def load_model(model: type[M], text: str, name: str, what: str = "file") -> M:
    root, data = _parse(text, name)
    if not isinstance(data, dict):
        raise YamlFileError(f"{name}: a {what} is a mapping of keys, not {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise YamlFileError("\n".join(_describe(name, root, err) for err in errors)) from None


def _parse(text: str, name: str) -> tuple[yaml.Node | None, Any]:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise YamlFileError(f"{name}{where}: {problem}") from None


def _describe(name: str, root: yaml.Node | None, err: Any) -> str:
    loc: Sequence[str | int] = err["loc"]
    key = ".".join(str(part) for part in loc) or "(top)"
    line = line_of(root, loc)
    where = f" line {line}" if line else ""
    return f"{name}{where}: {key}: {err['msg']}"


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The line of the deepest node on the path that exists (a missing key points at its parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value if isinstance(value, yaml.Node) else None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child = node.value[part]
        return child if isinstance(child, yaml.Node) else None
    return None
