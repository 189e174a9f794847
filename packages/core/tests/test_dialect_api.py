"""The PostgreSQL, MySQL and Oracle dialects use only core's public names (STYLE.md §2).

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
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accord.engine.interfaces import Dialect
    from accord.sql.cache_key import KeyContext

ROOT = Path(__file__).resolve().parents[3]
CORE = ROOT / "packages" / "core" / "src" / "accord"
DIALECTS = {
    "postgresql": ROOT / "packages" / "postgresql" / "src",
    "mysql": ROOT / "packages" / "mysql" / "src",
    "oracle": ROOT / "packages" / "oracle" / "src",
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


# -- the public hooks a dialect statement uses --------------------------------------------


def test_statement_subclass_with_generative_method_and_cache_key() -> None:

    from accord.sql import Column, Integer, MetaData, Table
    from accord.sql.dml import Insert

    class HintedInsert(Insert):
        hint: str | None = None

        def with_hint(self, hint: str) -> HintedInsert:
            new: HintedInsert = self.generate()
            new.hint = hint
            return new

        def gen_cache_key(self, ctx: KeyContext) -> Any:
            return (*super().gen_cache_key(ctx), self.hint)

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    base = HintedInsert(t)
    a, b = base.with_hint("a"), base.with_hint("b")
    assert base.hint is None
    assert a.hint == "a"
    key_a, key_b = a._generate_cache_key(), b._generate_cache_key()
    assert key_a is not None
    assert key_b is not None
    assert key_a != key_b
    assert key_a == base.with_hint("a")._generate_cache_key()
    assert key_a != Insert(t)._generate_cache_key()


def test_post_values_clause_compiles_through_its_visit_name() -> None:

    from accord.dialects.sqlite.base import SQLiteCompiler
    from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from accord.sql import Column, Integer, MetaData, Table, insert
    from accord.sql.elements import ClauseElement

    class Ignore(ClauseElement):
        __visit_name__ = "ignore_clause"

        def gen_cache_key(self, ctx: KeyContext) -> Any:
            return ("ignore",)

    class Compiler(SQLiteCompiler):
        def visit_ignore_clause(self, clause: Any, **kw: Any) -> str:
            return " ON CONFLICT DO NOTHING"

    class Dialect(SQLiteDialect_pysqlite):
        statement_compiler = Compiler

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    stmt = insert(t).with_post_values_clause(Ignore())
    assert stmt.post_values_clause is not None
    assert insert(t).post_values_clause is None
    sql = str(stmt.compile(dialect=Dialect(), column_keys=["id"]))
    assert sql == "INSERT INTO t (id) VALUES (:id) ON CONFLICT DO NOTHING"
    assert stmt._generate_cache_key() != insert(t)._generate_cache_key()


def test_dialect_classes_conform_to_the_dialect_protocol() -> None:
    from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from accord.engine.default import DefaultDialect

    # Checked by mypy (no cast needed); at run time the classes are simply assignable.
    classes: list[type[Dialect]] = [SQLiteDialect_pysqlite, DefaultDialect]
    assert all(isinstance(c, type) for c in classes)


def test_for_update_hooks_see_key_share_and_select_accessors() -> None:

    from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from accord.sql import Column, Integer, MetaData, Table, select
    from accord.sql.compiler import SQLCompiler

    seen: list[Mapping[str, Any]] = []

    class Compiler(SQLCompiler):
        def for_update_mode(self, options: Mapping[str, Any]) -> str:
            seen.append(options)
            return "KEY SHARE" if options.get("key_share") else super().for_update_mode(options)

    class Dialect(SQLiteDialect_pysqlite):
        statement_compiler = Compiler

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    stmt = select(t).limit(5).offset(2).with_for_update(key_share=True, of=t.c.id)
    assert stmt.limit_expression is not None
    assert stmt.offset_expression is not None
    assert stmt.for_update_options is not None
    assert stmt.for_update_options["key_share"] is True
    sql = str(stmt.compile(dialect=Dialect()))
    assert sql.endswith(" FOR KEY SHARE OF t")
    assert seen[0]["key_share"] is True
    generic = str(select(t).with_for_update(key_share=True).compile(dialect=Dialect()))
    assert generic.endswith(" FOR KEY SHARE")
    assert str(select(t).with_for_update(read=True)).endswith(" FOR SHARE")


# -- render_condition: every place SQL wants a condition ----------------------------------


def _bracketing_dialect() -> Any:
    from accord.dialects.sqlite.base import SQLiteCompiler
    from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

    class Compiler(SQLiteCompiler):
        def render_condition(self, element: Any, **kw: Any) -> str:
            return "[" + super().render_condition(element, **kw) + "]"

    class Dialect(SQLiteDialect_pysqlite):
        statement_compiler = Compiler

    return Dialect()


def _conditions_table() -> Any:
    from accord.sql import Boolean, Column, Integer, MetaData, Table

    return Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("active", Boolean),
        Column("x", Integer),
    )


def _bracketed(stmt: Any) -> str:
    return " ".join(str(stmt.compile(dialect=_bracketing_dialect())).split())


def test_render_condition_wraps_where_and_having() -> None:
    from accord.sql import func, select

    t = _conditions_table()
    assert _bracketed(select(t.c.id).where(t.c.active)) == "SELECT t.id FROM t WHERE [t.active]"
    stmt = select(t.c.x).group_by(t.c.x).having(func.count() > 1)
    assert _bracketed(stmt).endswith("GROUP BY t.x HAVING [count(*) > :count_1]")


def test_render_condition_wraps_each_and_or_not_operand() -> None:
    from accord.sql import and_, not_, or_, select

    t = _conditions_table()
    stmt = select(t.c.id).where(and_(t.c.active, or_(t.c.x > 1, not_(t.c.active))))
    assert _bracketed(stmt).endswith("WHERE [[t.active] AND [([t.x > :x_1] OR [NOT [t.active]])]]")


def test_render_condition_wraps_join_on_and_case_when() -> None:
    from accord.sql import case, select

    t = _conditions_table()
    u = t.alias("u")
    stmt = select(t.c.id).select_from(t.join(u, u.c.active))
    assert _bracketed(stmt) == "SELECT t.id FROM t JOIN t AS u ON [u.active]"
    stmt = select(case((t.c.active, "y"), else_="n"))
    assert _bracketed(stmt).startswith(
        "SELECT CASE WHEN [t.active] THEN :param_1 ELSE :param_2 END"
    )


def test_render_condition_leaves_case_with_value_alone() -> None:
    from accord.sql import case, select

    t = _conditions_table()
    # case(..., value=x): each WHEN is a value compared to x, not a condition.
    stmt = select(case({1: "one"}, value=t.c.x, else_="other"))
    assert _bracketed(stmt).startswith("SELECT CASE t.x WHEN :x_1 THEN :param_1 ELSE :param_2 END")


def test_render_condition_wraps_update_and_delete_where() -> None:
    from accord.sql import delete, update

    t = _conditions_table()
    assert _bracketed(update(t).where(t.c.active).values(x=1)) == (
        "UPDATE t SET x=:x WHERE [t.active]"
    )
    assert _bracketed(delete(t).where(t.c.x == 1)) == "DELETE FROM t WHERE [t.x = :x_1]"


def test_render_condition_wraps_on_conflict_where() -> None:
    from accord.dialects.sqlite.dml import insert

    t = _conditions_table()
    stmt = insert(t).on_conflict_do_update(
        index_elements=[t.c.x], index_where=t.c.active, set_={"x": 2}, where=t.c.x > 0
    )
    sql = " ".join(str(stmt.compile(dialect=_bracketing_dialect(), column_keys=["x"])).split())
    assert sql.endswith(
        "ON CONFLICT (x) WHERE [active] DO UPDATE SET x = :param_1 WHERE [x > :x_1]"
    )


def test_render_condition_is_not_used_for_values() -> None:
    from accord.sql import select

    t = _conditions_table()
    assert _bracketed(select(t.c.active, t.c.x == 1)) == (
        "SELECT t.active, t.x = :x_1 AS anon_1 FROM t"
    )


def test_default_render_condition_keeps_bare_booleans() -> None:
    from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
    from accord.sql import and_, not_, select

    t = _conditions_table()
    stmt = select(t.c.id).where(and_(t.c.active, not_(t.c.active), t.c.x > 1))
    sql = " ".join(str(stmt.compile(dialect=SQLiteDialect_pysqlite())).split())
    assert sql == "SELECT t.id FROM t WHERE t.active AND NOT t.active AND t.x > :x_1"


def test_insert_select_tells_insert_from_select_apart() -> None:
    from accord.sql import insert, select

    t = _conditions_table()
    source = select(t.c.x)
    assert insert(t).select is None
    assert insert(t).values(x=1).select is None
    assert insert(t).from_select(["x"], source).select is source
