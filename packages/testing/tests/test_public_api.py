"""accord-testing uses accord-core's public API only and never imports a driver or dialect."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import accord.testing

SOURCE = Path(__file__).resolve().parents[1] / "src" / "accord" / "testing"
DRIVERS = {"psycopg", "psycopg2", "pymysql", "MySQLdb", "oracledb", "cx_Oracle", "sqlite3"}


def _imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(SOURCE.glob("*.py")), ids=lambda p: p.name)
def test_module_imports_only_public_names(path: Path) -> None:
    for module, name in _imports(path):
        top = module.split(".")[0]
        assert top not in DRIVERS, f"{path.name} imports the driver {module}"
        if top == "accord":
            assert not module.startswith("accord.dialects"), f"{path.name} imports {module}"
            assert not any(part.startswith("_") for part in module.split(".")), module
            assert not name.startswith("_"), f"{path.name} imports private {module}.{name}"


def test_exports_are_complete_and_sorted() -> None:
    public = sorted(accord.testing.__all__)
    assert accord.testing.__all__ == public
    for name in public:
        assert getattr(accord.testing, name) is not None
