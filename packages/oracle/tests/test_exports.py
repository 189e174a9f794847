"""The package's public names, its entry point, and its use of public core names only."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import accord.dialects.oracle as oracle_pkg

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "packages" / "oracle" / "src"
CORE = ROOT / "packages" / "core" / "src" / "accord"


def test_all_is_sorted_and_complete() -> None:
    names = oracle_pkg.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(oracle_pkg, name), name
    public = {n for n in vars(oracle_pkg) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(names)


def test_dialect_alias_is_the_driver_class() -> None:
    assert oracle_pkg.dialect is oracle_pkg.OracleDialect_oracledb
    assert oracle_pkg.dialect.name == "oracle"
    assert oracle_pkg.dialect.driver == "oracledb"


def test_entry_point_is_registered() -> None:
    (ep,) = [ep for ep in entry_points(group="accord.dialects") if ep.name == "oracle.oracledb"]
    assert ep.value == "accord.dialects.oracle.oracledb:OracleDialect_oracledb"


def test_namespace_folders_have_no_init_file() -> None:
    assert not (SRC / "accord" / "__init__.py").exists()
    assert not (SRC / "accord" / "dialects" / "__init__.py").exists()
    assert (SRC / "accord" / "dialects" / "oracle" / "py.typed").exists()


def test_modules_stay_under_800_lines() -> None:
    for path in SRC.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 800, path


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _core_private_names() -> set[str]:
    names: set[str] = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if _private(node.name):
                    names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if _private(node.attr):
                    names.add(node.attr)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name) and _private(t.id))
    return names


def _private_uses(src: Path) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                found.append((path.name, node.lineno, node.attr))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        if _private(item.name):
                            found.append((path.name, item.lineno, item.name))
                    elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        found.extend(
                            (path.name, item.lineno, t.id)
                            for t in targets
                            if isinstance(t, ast.Name) and _private(t.id)
                        )
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
            ):
                found.append((path.name, node.lineno, node.args[1].value))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("accord"):
                found.extend(
                    (path.name, node.lineno, a.name) for a in node.names if _private(a.name)
                )
    return found


def test_dialect_uses_no_private_core_name() -> None:
    core = _core_private_names()
    offending = [f"{p}:{line}: {name}" for p, line, name in _private_uses(SRC) if name in core]
    assert not offending, "private core names used:\n" + "\n".join(offending)
