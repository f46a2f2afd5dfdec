"""The PROFILE YAML file (`autoapply plan --profile`, `autoapply profile import`): read and checked.

A mistake is reported with the key and the line it is on, e.g.
`profile.yaml line 4: email: String should match pattern ...`, never with the value (it may be
personal data that ends up in a log).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from contracts.profile import Profile


class ProfileError(ValueError):
    """The file is not a valid profile; the message names each problem's key and line."""


def load(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc}") from None
    return parse(text, str(path))


def parse(text: str, name: str = "profile") -> Profile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ProfileError(f"{name}{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{name}: a profile is a mapping (first_name, email, ...), not {type(data).__name__}")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(name, root, err) for err in exc.errors(include_url=False, include_input=False)]
        raise ProfileError("\n".join(problems)) from None


def _describe(name: str, root: yaml.Node | None, err: Any) -> str:
    loc: Sequence[str | int] = err["loc"]
    key = ".".join(str(part) for part in loc) or "profile"
    line = _line_of(root, loc)
    where = f" line {line}" if line else ""
    return f"{name}{where}: {key}: {err['msg']}"


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
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
