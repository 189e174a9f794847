"""``INSERT ... ON CONFLICT`` rendering shared by the dialects that have it (sqlite, PostgreSQL).

A dialect's upsert clause (attached with ``Insert.with_post_values_clause``) has
``__visit_name__`` ``on_conflict_do_nothing`` or ``on_conflict_do_update`` and these
attributes: ``index_elements`` (columns, expressions or names, may be empty),
``index_where``, optionally ``constraint_target`` (a constraint name), and for DO UPDATE
``update_values`` (``(column or name, expression)`` pairs) and ``update_whereclause``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc

if TYPE_CHECKING:
    from accord.sql.preparer import IdentifierPreparer

__all__ = ["OnConflictCompilerMixin"]


class OnConflictCompilerMixin:
    """``visit_on_conflict_do_nothing`` / ``visit_on_conflict_do_update`` for a SQLCompiler."""

    # Whether columns inside DO UPDATE SET / WHERE are qualified by their table name.
    on_conflict_include_table = True

    statement: Any
    if TYPE_CHECKING:
        preparer: IdentifierPreparer

        def process(self, obj: Any, **kw: Any) -> str: ...  # from SQLCompiler

        def render_condition(self, element: Any, **kw: Any) -> str: ...  # from SQLCompiler

    def visit_on_conflict_do_nothing(self, clause: Any, **kw: Any) -> str:
        """``ON CONFLICT [target] DO NOTHING``."""
        return " ON CONFLICT" + self.conflict_target(clause, **kw) + " DO NOTHING"

    def visit_on_conflict_do_update(self, clause: Any, **kw: Any) -> str:
        """``ON CONFLICT target DO UPDATE SET col = value, ... [WHERE ...]``."""
        target = self.conflict_target(clause, **kw)
        if not target:
            raise exc.CompileError(
                "on_conflict_do_update() needs a conflict target: index_elements= "
                "(or constraint= where the dialect has it)"
            )
        if not self.on_conflict_include_table:
            kw = {**kw, "include_table": False}
        table = self.statement.table
        sets = []
        for key, value in clause.update_values:
            col = table.c[key] if isinstance(key, str) else key
            rendered = self.process(value.self_group(), **kw)
            sets.append(self.preparer.format_column(col) + " = " + rendered)
        text = " ON CONFLICT" + target + " DO UPDATE SET " + ", ".join(sets)
        if clause.update_whereclause is not None:
            text += " WHERE " + self.render_condition(clause.update_whereclause, **kw)
        return text

    def conflict_target(self, clause: Any, **kw: Any) -> str:
        """`` ON CONSTRAINT name`` or `` (cols) [WHERE ...]``, or empty when none is given."""
        constraint = getattr(clause, "constraint_target", None)
        if constraint is not None:
            return " ON CONSTRAINT " + self.preparer.quote(constraint)
        if not clause.index_elements:
            return ""
        kw = {**kw, "include_table": False}
        cols = [
            self.preparer.quote(e) if isinstance(e, str) else self.process(e, **kw)
            for e in clause.index_elements
        ]
        text = " (" + ", ".join(cols) + ")"
        if clause.index_where is not None:
            text += " WHERE " + self.render_condition(clause.index_where, **kw)
        return text
