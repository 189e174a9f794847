"""UNION, UNION ALL, INTERSECT and EXCEPT of SELECT statements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql.coercions import coerce_column_like
from accord.sql.elements import ColumnElement, Executable
from accord.sql.selectable import ReturnsRows, _ColumnEntry, _offset_or_limit

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext

__all__ = [
    "CompoundSelect",
    "except_",
    "except_all",
    "intersect",
    "intersect_all",
    "union",
    "union_all",
]


class CompoundSelect(Executable, ReturnsRows):
    """``SELECT ... UNION [ALL] SELECT ...`` (and INTERSECT / EXCEPT), with ORDER BY/LIMIT."""

    __visit_name__ = "compound_select"
    _order_by_clauses: tuple[ColumnElement, ...] = ()
    _limit_clause: ColumnElement | None = None
    _offset_clause: ColumnElement | None = None

    def __init__(self, keyword: str, *selects: Any) -> None:
        if len(selects) < 2:
            raise exc.ArgumentError(f"{keyword} needs at least two SELECT statements")
        widths = {len(s._column_entries()) for s in selects}
        if len(widths) > 1:
            raise exc.ArgumentError(
                f"All selectables passed to {keyword} must have identical numbers of columns"
            )
        self.keyword = keyword
        self.selects = tuple(selects)

    def _column_entries(self) -> list[_ColumnEntry]:
        return self.selects[0]._column_entries()  # type: ignore[no-any-return]

    def order_by(self, *clauses: Any) -> CompoundSelect:
        """ORDER BY for the whole compound (columns are named by their result names)."""
        new: CompoundSelect = self._generate()
        new._order_by_clauses = self._order_by_clauses + tuple(
            coerce_column_like(c) for c in clauses if c is not None
        )
        return new

    limit_expression = property(lambda self: self._limit_clause, doc="The LIMIT expression.")
    offset_expression = property(lambda self: self._offset_clause, doc="The OFFSET expression.")
    for_update_options = None

    def limit(self, limit: Any) -> CompoundSelect:
        """LIMIT for the whole compound."""
        new: CompoundSelect = self._generate()
        new._limit_clause = _offset_or_limit(limit)
        return new

    def offset(self, offset: Any) -> CompoundSelect:
        """OFFSET for the whole compound."""
        new: CompoundSelect = self._generate()
        new._offset_clause = _offset_or_limit(offset)
        return new

    @property
    def _from_objects(self) -> list[Any]:
        return []

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "compound",
            self.keyword,
            tuple(s._gen_cache_key(ctx) for s in self.selects),
            tuple(o._gen_cache_key(ctx) for o in self._order_by_clauses),
            self._limit_clause._gen_cache_key(ctx) if self._limit_clause is not None else None,
            self._offset_clause._gen_cache_key(ctx) if self._offset_clause is not None else None,
        )


def union(*selects: Any) -> CompoundSelect:
    """``a UNION b``: rows of every SELECT, duplicates removed."""
    return CompoundSelect("UNION", *selects)


def union_all(*selects: Any) -> CompoundSelect:
    """``a UNION ALL b``: rows of every SELECT."""
    return CompoundSelect("UNION ALL", *selects)


def intersect(*selects: Any) -> CompoundSelect:
    """``a INTERSECT b``: rows present in every SELECT."""
    return CompoundSelect("INTERSECT", *selects)


def intersect_all(*selects: Any) -> CompoundSelect:
    """``a INTERSECT ALL b``."""
    return CompoundSelect("INTERSECT ALL", *selects)


def except_(*selects: Any) -> CompoundSelect:
    """``a EXCEPT b``: rows of the first SELECT not in the others."""
    return CompoundSelect("EXCEPT", *selects)


def except_all(*selects: Any) -> CompoundSelect:
    """``a EXCEPT ALL b``."""
    return CompoundSelect("EXCEPT ALL", *selects)


def _result_column() -> Any:
    from accord.sql.compiler import ResultColumn

    return ResultColumn


class CompoundCompilerMixin:
    """The compound-SELECT part of ``SQLCompiler``."""

    stack: list[dict[str, Any]]
    _result_columns: list[Any]

    def limit_clause(self, select: Any, **kw: Any) -> str:
        """Provided by ``SQLCompiler``."""
        raise NotImplementedError

    def visit_compound_select(self, cs: Any, asfrom: bool = False, **kw: Any) -> str:
        """``SELECT ... UNION SELECT ...`` with the compound's ORDER BY and LIMIT."""
        if not self.stack:
            for entry in cs._column_entries():
                col = entry.element
                self._result_columns.append(
                    _result_column()(entry.key, entry.name, (col,), col.type)
                )
        self.stack.append({"froms": [], "select": cs})
        parts: list[str] = []
        text: str
        for sel in cs.selects:
            text = sel._compiler_dispatch(self, asfrom=True, **kw)
            nested = getattr(sel, "_limit_clause", None) is not None or bool(
                getattr(sel, "_order_by_clauses", ())
            )
            parts.append(
                f"({text})" if nested or sel.__visit_name__ == "compound_select" else text
            )
        text = (" " + cs.keyword + " ").join(parts)
        if cs._order_by_clauses:
            # Compound ORDER BY names result columns, never table.column.
            text += " ORDER BY " + ", ".join(
                c._compiler_dispatch(self, include_table=False, **kw) for c in cs._order_by_clauses
            )
        if cs._limit_clause is not None or cs._offset_clause is not None:
            text += self.limit_clause(cs, **kw)
        self.stack.pop()
        return text
