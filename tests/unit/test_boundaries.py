"""Services never import each other; contracts import nothing of ours but themselves."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "provisioner", "executor", "verifier", "takeover")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def crossings(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files_of(package):
        for module in imported_modules(path):
            if module.split(".")[0] in forbidden or module.startswith(forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    others = tuple(f"services.{name}" for name in SERVICES if name != service)
    assert files_of(f"services/{service}"), "the service has no code"
    assert crossings(f"services/{service}", others) == []


def test_contracts_are_data_and_import_no_runtime_or_service() -> None:
    assert crossings("contracts", ("runtime", "services", "autoapply", "sandbox", "nats", "asyncpg")) == []


def test_the_runtime_imports_no_service() -> None:
    assert crossings("runtime", ("services", "autoapply", "sandbox")) == []


def test_the_form_engine_imports_contracts_only() -> None:
    assert crossings("forms", ("runtime", "services", "autoapply", "sandbox", "nats", "asyncpg", "redis")) == []


def test_the_product_does_not_import_the_sandbox() -> None:
    for package in ("contracts", "runtime", "forms", "services", "autoapply"):
        assert crossings(package, ("sandbox",)) == []


def test_the_checker_sees_a_crossing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from services.executor import handlers\nimport services.verifier.app\n")
    assert imported_modules(bad) == {"services.executor", "services.verifier.app"}
