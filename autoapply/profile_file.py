"""The PROFILE YAML file (`autoapply plan --profile`, `autoapply profile import`): read and checked.

A mistake is reported with the key and the line it is on, e.g.
`profile.yaml line 4: email: String should match pattern ...`, never with the value (it may be
personal data that ends up in a log).
"""

from pathlib import Path

from contracts.profile import Profile
from runtime.yamlfile import YamlFileError, load_model


class ProfileError(YamlFileError):
    """The file is not a valid profile; the message names each problem's key and line."""


def load(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc}") from None
    return parse(text, str(path))


def parse(text: str, name: str = "profile") -> Profile:
    try:
        return load_model(Profile, text, name, what="profile")
    except YamlFileError as exc:
        raise ProfileError(str(exc)) from None
