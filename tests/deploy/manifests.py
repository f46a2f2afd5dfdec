"""Reading deploy/: the Kubernetes documents, the compose file, and what each service's settings accept."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic.fields import FieldInfo

from autoapply.local.services import SERVICES
from runtime.settings import ENV_PREFIX, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE = DEPLOY / "docker-compose.yml"
# The product's code, where a setting may also be read straight from the environment.
PRODUCT = ("runtime", "services", "contracts", "forms")
_DIRECT_READ = re.compile(r"""environ(?:\.get\(|\[)\s*["'](AUTOAPPLY_[A-Z0-9_]+)["']""")


def documents() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        found += [(path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())  # resolves the << merge keys
    return loaded


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
    ]
    assert len(found) == 1, f"services/{service}/settings.py should define one settings class"
    return found[0]


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def fields(cls: type[ServiceSettings]) -> dict[str, FieldInfo]:
    return {env_name(name): info for name, info in cls.model_fields.items()}


def direct_reads() -> set[str]:
    """AUTOAPPLY_* variables the product reads itself, beside its settings classes."""
    names: set[str] = set()
    for package in PRODUCT:
        for source in (ROOT / package).rglob("*.py"):
            names |= set(_DIRECT_READ.findall(source.read_text()))
    return names


def accepted(service: str) -> set[str]:
    return set(fields(settings_class(service))) | direct_reads()


def accepted_by_any() -> set[str]:
    return set().union(*(accepted(s) for s in SERVICES))


def required(service: str) -> set[str]:
    return {name for name, info in fields(settings_class(service)).items() if info.is_required()}


def env_file_keys(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs
