"""The PostgreSQL and MySQL dialects use only core's public names (STYLE.md §2).

Every ``_name`` that accord-core defines (functions, methods, class attributes, ``self._x``
assignments) is collected; a dialect module that reads, assigns or overrides one of them
(``obj._name`` / ``def _name`` / ``_name = ...`` in a class body) fails this test. A
dialect's own private helpers are allowed when core has no name like them, or when they
are listed in ``OWN_HELPERS`` (same spelling as something in core, different meaning).
``getattr(obj, "_name")`` and friends count as uses too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORE = ROOT / "packages" / "core" / "src" / "accord"
DIALECTS = {
    "postgresql": ROOT / "packages" / "postgresql" / "src",
    "mysql": ROOT / "packages" / "mysql" / "src",
}

# The dialects' own helpers whose spelling also exists in core (unrelated objects), each
# with the reason it is not a use of core's name. None at present.
OWN_HELPERS: frozenset[str] = frozenset()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _core_private_names() -> set[str]:
    names: set[str] = set()
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
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


def _names_attribute(call: ast.Call) -> bool:
    # getattr(obj, "_name"), setattr(...), hasattr(...): the same access, spelled as a string.
    return (
        isinstance(call.func, ast.Name)
        and call.func.id in ("getattr", "setattr", "hasattr", "delattr")
        and len(call.args) >= 2
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
        and _private(call.args[1].value)
    )


def _uses(src: Path) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for path in sorted(src.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                found.append((rel, node.lineno, node.attr))
            elif isinstance(node, ast.Call) and _names_attribute(node):
                found.append((rel, node.lineno, node.args[1].value))  # type: ignore[attr-defined]
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        if _private(item.name):
                            found.append((rel, item.lineno, item.name))
                    elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        found.extend(
                            (rel, item.lineno, t.id)
                            for t in targets
                            if isinstance(t, ast.Name) and _private(t.id)
                        )
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("accord"):
                found.extend((rel, node.lineno, a.name) for a in node.names if _private(a.name))
    return found


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_dialect_uses_no_private_core_name(dialect: str) -> None:
    core = _core_private_names() - OWN_HELPERS
    offending = [
        f"{path}:{line}: {name}" for path, line, name in _uses(DIALECTS[dialect]) if name in core
    ]
    assert not offending, "private core names used by a dialect:\n" + "\n".join(offending)


def test_the_scan_sees_private_names() -> None:
    # Guard against a scan that silently finds nothing.
    core = _core_private_names()
    assert {"_limit_clause", "_gen_cache_key", "_compiler_dispatch", "_finalize"} <= core
