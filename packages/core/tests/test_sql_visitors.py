"""Walking and rewriting expressions (used by the ORM for aliases and join conditions)."""

from __future__ import annotations

from typing import Any

from accord.sql import Column, Integer, MetaData, Table, and_, case, func, select
from accord.sql.elements import BindParameter
from accord.sql.visitors import adapt_to_selectable, iterate, replacement_traverse

md = MetaData()
t = Table("t", md, Column("id", Integer, primary_key=True), Column("x", Integer))


def test_iterate_visits_each_element_once() -> None:
    expr = and_(t.c.id == 1, t.c.x == 2)
    found = list(iterate(expr))
    assert found[0] is expr
    assert t.c.id in found
    assert sum(isinstance(e, BindParameter) for e in found) == 2


def test_replacement_traverse_copies_only_changed_paths() -> None:
    left = t.c.id == 1
    right = t.c.x > 2
    expr = and_(left, right)

    def swap(e: object) -> Any:
        return t.c.x if e is t.c.id else None

    new = replacement_traverse(expr, swap)
    assert str(new) == "t.x = :id_1 AND t.x > :x_1"
    assert str(expr) == "t.id = :id_1 AND t.x > :x_1"
    assert new.clauses[1] is right


def test_adapt_to_alias_covers_functions_case_and_windows() -> None:
    a = t.alias("a")
    expr = case((func.lower(t.c.x) > 1, t.c.id), else_=func.sum(t.c.x).over(order_by=t.c.id))
    adapted = adapt_to_selectable(expr, a)
    assert str(adapted) == (
        "CASE WHEN lower(a.x) > :lower_1 THEN a.id ELSE sum(a.x) OVER (ORDER BY a.id) END"
    )
    stmt = select(a.c.id).where(adapt_to_selectable(t.c.x == 5, a))
    assert " ".join(str(stmt).split()) == "SELECT a.id FROM t AS a WHERE a.x = :x_1"


def test_adapt_to_subquery() -> None:
    sub = select(t).where(t.c.x > 0).subquery("s")
    assert str(adapt_to_selectable(t.c.id == 3, sub)) == "s.id = :id_1"
