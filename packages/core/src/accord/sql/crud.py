"""Compiling INSERT, UPDATE and DELETE: which columns get binds, defaults and RETURNING."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import elements as el

if TYPE_CHECKING:
    from accord.sql.dml import Delete, Insert, UpdateBase, ValuesBase

__all__ = ["CrudMixin"]


class CrudMixin:
    """The DML half of ``SQLCompiler`` (kept apart to keep modules small)."""

    # Provided by SQLCompiler; declared for the type checker.
    dialect: Any
    preparer: Any
    stack: list[dict[str, Any]]
    binds: dict[str, el.BindParameter]
    column_keys: list[str] | None
    for_executemany: bool
    insert_prefetch: list[Any]
    update_prefetch: list[Any]
    postfetch: list[Any]
    _result_columns: list[Any]
    _dml_bind_names: set[str]
    _prefetch_names: frozenset[str]
    isinsert: bool
    isupdate: bool
    isdelete: bool
    returning: list[Any] | None
    effective_returning: list[Any] | None
    implicit_returning: list[Any] | None
    postfetch_lastrowid: bool

    def _bind_name(self, bp: el.BindParameter) -> str:
        raise NotImplementedError

    def render_condition(self, element: Any, **kw: Any) -> str:
        """A WHERE condition (``SQLCompiler.render_condition``)."""
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    def _dml_bind(self, col: Any, required: bool, prefetch: bool = False) -> str:
        name = col.key
        if name in self.binds:
            raise exc.CompileError(
                f"bindparam() name '{name}' is reserved for automatic usage in the VALUES or "
                "SET clause of this insert/update statement. Please use a name other than "
                f"column name when using bindparam() with insert() or update() (for example, "
                f"'b_{name}')."
            )
        bp = el.BindParameter(name, type_=col.type, required=required)
        self._dml_bind_names.add(name)
        if prefetch:
            self._prefetch_names = self._prefetch_names | {name}
        return "\x00" + self._bind_name(bp) + "\x00"

    def _render_value(self, col: Any, value: el.ColumnElement, **kw: Any) -> str:
        if isinstance(value, el.BindParameter) and not value._is_anon and value.key == col.key:
            self._dml_bind_names.add(col.key)
        return value._compiler_dispatch(self, **kw)

    def _keys_present(self, stmt: ValuesBase) -> set[str] | None:
        """Column keys given at execution; None means "every column" (no params at all)."""
        if self.column_keys is None:
            return None if not stmt._values and not stmt._multi_values else set()
        return set(self.column_keys)

    def _check_unconsumed(self, stmt: ValuesBase, consumed: set[str]) -> None:
        if self.column_keys is None:
            return
        extra = [k for k in self.column_keys if k not in consumed and k not in self.binds]
        if extra:
            raise exc.CompileError(f"Unconsumed column names: {', '.join(sorted(extra))}")

    def _returning_clause(self, stmt: UpdateBase, cols: list[Any], **kw: Any) -> str:
        from accord.sql.compiler import ResultColumn
        from accord.sql.selectable import _name_columns

        entries = _name_columns(list(cols), "disambiguate_only")
        toplevel = len(self.stack) == 1
        parts = []
        for entry in entries:
            col = entry.element
            inner = (col.element if isinstance(col, el.Label) else col)._compiler_dispatch(
                self, within_columns_clause=True, include_table=self._returning_qualifies, **kw
            )
            if entry.label:
                inner += " AS " + self.preparer.format_label_name(entry.name)
            parts.append(inner)
            if toplevel:
                self._result_columns.append(ResultColumn(entry.key, entry.name, (col,), col.type))
        return " RETURNING " + ", ".join(parts)

    _returning_qualifies = True
    _server_generated_pk: list[Any]

    def _check_returning(self, kind: str) -> None:
        if not getattr(
            self.dialect, f"{kind}_returning", getattr(self.dialect, "supports_returning", False)
        ):
            raise exc.CompileError(
                f"RETURNING is not supported by this dialect's statement compiler "
                f"({self.dialect.name}, {kind.upper()})."
            )
        if (
            kind == "insert"
            and self.for_executemany
            and not getattr(self.dialect, "insert_executemany_returning", False)
        ):
            raise exc.CompileError(
                f"Dialect {self.dialect.name} does not support RETURNING with executemany"
            )

    def _finish_returning(
        self, stmt: UpdateBase, kind: str, generated: list[Any], server_cols: list[Any]
    ) -> list[Any]:
        """Decide the RETURNING list: explicit columns plus ``return_defaults`` ones."""
        returning = list(stmt._returning)
        can_return = getattr(
            self.dialect, f"{kind}_returning", getattr(self.dialect, "supports_returning", False)
        )
        if kind == "insert" and self.for_executemany:
            can_return = can_return and getattr(
                self.dialect, "insert_executemany_returning", False
            )
        wanted: list[Any] = []
        if stmt._return_defaults and can_return:
            wanted = [*generated, *server_cols, *stmt._return_defaults_columns]
        elif (
            kind == "insert"
            and can_return
            and not returning
            and not self.for_executemany
            and getattr(self.dialect, "implicit_returning", False)
            and getattr(stmt.table, "implicit_returning", True)
        ):
            wanted = list(generated)
            self.implicit_returning = [c for c in wanted]
        for c in wanted:
            if not any(c is r for r in returning):
                returning.append(c)
        if returning:
            self._check_returning(kind)
        returned = {id(c) for c in returning}
        self.postfetch = [c for c in self.postfetch if id(c) not in returned]
        if self.implicit_returning is not None:
            self.implicit_returning = [c for c in self.implicit_returning if id(c) in returned]
        self.returning = returning or None
        self.effective_returning = self.returning
        return returning

    # -- INSERT -------------------------------------------------------------------------

    def visit_insert(self, stmt: Insert, **kw: Any) -> str:
        """``INSERT INTO t (cols) VALUES (...) [RETURNING ...]``."""
        self.isinsert = True
        self.stack.append({"froms": [stmt.table], "dml": stmt})
        table = stmt.table
        kw.pop("asfrom", None)
        text = "INSERT "
        if stmt._prefixes:
            text += " ".join(stmt._prefixes) + " "
        text += "INTO " + self.preparer.format_table(table)
        autoinc = getattr(table, "_autoincrement_column", None)
        generated: list[Any] = []
        self._server_generated_pk = []
        if stmt._select is not None:
            names = ", ".join(self.preparer.format_column(c) for c in stmt._select_names or ())
            text += f" ({names}) " + stmt._select._compiler_dispatch(self, **kw)
            rendered_cols: list[Any] = list(stmt._select_names or ())
        elif stmt._multi_values:
            cols, rows = self._multi_values(stmt, **kw)
            rendered_cols = cols
            text += " (" + ", ".join(self.preparer.format_column(c) for c in cols) + ")"
            text += " VALUES " + ", ".join("(" + ", ".join(r) + ")" for r in rows)
        else:
            pairs = self._insert_columns(stmt, **kw)
            rendered_cols = [c for c, _ in pairs]
            if pairs:
                text += " (" + ", ".join(self.preparer.format_column(c) for c, _ in pairs) + ")"
                text += " VALUES (" + ", ".join(v for _, v in pairs) + ")"
            else:
                text += self.default_values_clause(table)
        generated.extend(self._server_generated_pk)
        given = {id(c) for c in rendered_cols}
        if autoinc is not None and id(autoinc) not in given:
            generated.append(autoinc)
        for c in table.primary_key if hasattr(table, "primary_key") else ():
            if id(c) not in given and c is not autoinc and c.server_default is not None:
                generated.append(c)
        server_cols = [c for c in self.postfetch if not any(c is g for g in generated)]
        returning = self._finish_returning(stmt, "insert", generated, server_cols)
        post = getattr(stmt, "_post_values_clause", None)
        if post is not None:
            text += post._compiler_dispatch(self, **kw)
        if returning:
            text += self._returning_clause(stmt, returning, **kw)
        if (
            autoinc is not None
            # Not given, or given as SQL: then the driver's lastrowid reports the value.
            and (id(autoinc) not in given or any(autoinc is g for g in self._server_generated_pk))
            and not any(autoinc is r for r in returning)
            and getattr(self.dialect, "postfetch_lastrowid", True)
        ):
            self.postfetch_lastrowid = True
        self.stack.pop()
        return text  # type: ignore[no-any-return]

    def default_values_clause(self, table: Any) -> str:
        """What an INSERT with no columns says (``DEFAULT VALUES`` by default)."""
        return " DEFAULT VALUES"

    def _insert_columns(self, stmt: Insert, **kw: Any) -> list[tuple[Any, str]]:
        values = stmt._values or {}
        by_key = {c.key: v for c, v in values.items()}
        present = self._keys_present(stmt)
        pairs: list[tuple[Any, str]] = []
        consumed: set[str] = set()
        table = stmt.table
        autoinc = getattr(table, "_autoincrement_column", None)
        for col in table.c:
            key: str = col.key
            consumed.add(key)
            if key in by_key:
                value = by_key[key]
                pairs.append((col, self._render_value(col, value, **kw)))
                if col.primary_key and not isinstance(value, el.BindParameter):
                    # A key made by SQL (a sequence's nextval(), a function) is known only
                    # to the database: fetch it back like a defaulted one.
                    self._server_generated_pk.append(col)
            elif getattr(col, "computed", None) is not None:
                # Generated columns never take a value, even when a parameter names them.
                self.postfetch.append(col)
            elif present is None or key in present:
                pairs.append((col, self._dml_bind(col, required=True)))
            else:
                self._insert_default(col, autoinc, pairs, **kw)
        self._check_unconsumed(stmt, consumed)
        extra = [k for k in by_key if k not in consumed]
        if extra:
            raise exc.CompileError(f"Unconsumed column names: {', '.join(sorted(extra))}")
        return pairs

    def _insert_default(
        self, col: Any, autoinc: Any, pairs: list[tuple[Any, str]], **kw: Any
    ) -> None:
        default = getattr(col, "default", None)
        if default is not None:
            if default.is_sequence:
                if getattr(self.dialect, "supports_sequences", False) and not (
                    default.optional
                    and getattr(self.dialect, "sequences_optional", False)
                    and col is autoinc
                ):
                    pairs.append((col, default.next_value()._compiler_dispatch(self, **kw)))
                    if col.primary_key:
                        self._server_generated_pk.append(col)
                    else:
                        self.postfetch.append(col)
                return
            if default.is_clause_element:
                pairs.append((col, default.arg.self_group()._compiler_dispatch(self, **kw)))
                if col.primary_key:
                    # Only the database knows the key: fetch it back (RETURNING) if possible.
                    self._server_generated_pk.append(col)
                else:
                    self.postfetch.append(col)
                return
            pairs.append((col, self._dml_bind(col, required=False, prefetch=True)))
            self.insert_prefetch.append(col)
            return
        if getattr(col, "server_default", None) is not None and col is not autoinc:
            self.postfetch.append(col)

    def _multi_values(self, stmt: Insert, **kw: Any) -> tuple[list[Any], list[list[str]]]:
        rows = [row for group in stmt._multi_values for row in group]
        keys: set[str] = set()
        for row in rows:
            keys.update(c.key for c in row)
        table = stmt.table
        cols = [c for c in table.c if c.key in keys]
        for c in table.c:
            d = getattr(c, "default", None)
            if c.key not in keys and d is not None and not d.is_sequence:
                cols.append(c)
            elif c.key not in keys and getattr(c, "server_default", None) is not None:
                self.postfetch.append(c)
        rendered: list[list[str]] = []
        for i, row in enumerate(rows):
            by_key = {c.key: v for c, v in row.items()}
            out = []
            for c in cols:
                v = by_key.get(c.key)
                if v is None:
                    v = self._multi_default(c, i)
                out.append(v._compiler_dispatch(self, **kw))
            rendered.append(out)
        return cols, rendered

    def _multi_default(self, col: Any, i: int) -> el.ColumnElement:
        d = getattr(col, "default", None)
        if d is None:
            raise exc.CompileError(
                f"INSERT value for column {col.table.name}.{col.name} is explicitly rendered as a "
                "boundparameter in the VALUES clause; a Python-side value or SQL expression is "
                "required"
            )
        if d.is_clause_element:
            return d.arg  # type: ignore[no-any-return]
        if d.is_callable:
            fn = d.arg
            return el.BindParameter(f"{col.key}_m{i}", type_=col.type, callable_=lambda: fn(None))
        return el.BindParameter(f"{col.key}_m{i}", d.arg, type_=col.type)

    # -- UPDATE -------------------------------------------------------------------------

    def visit_update(self, stmt: Any, **kw: Any) -> str:
        """``UPDATE t SET col=... WHERE ... [RETURNING ...]``."""
        self.isupdate = True
        self.stack.append({"froms": [stmt.table], "dml": stmt})
        kw.pop("asfrom", None)
        table = stmt.table
        values = stmt._values or {}
        by_key = {c.key: v for c, v in values.items()}
        present = self._keys_present(stmt)
        sets: list[tuple[Any, str]] = []
        consumed: set[str] = set()
        ordered = list(values) if stmt._ordered_values is not None else None
        cols = ordered + [c for c in table.c if c not in ordered] if ordered else list(table.c)
        for col in cols:
            key = col.key
            consumed.add(key)
            if key in by_key:
                value = by_key[key]
                if isinstance(value, el.BinaryExpression):
                    value = el.Grouping(value)
                sets.append((col, self._render_value(col, value, **kw)))
            elif getattr(col, "computed", None) is not None:
                self.postfetch.append(col)
            elif present is None or key in present:
                sets.append((col, self._dml_bind(col, required=True)))
            else:
                onupdate = getattr(col, "onupdate", None)
                if onupdate is not None and not onupdate.is_sequence:
                    if onupdate.is_clause_element:
                        sets.append(
                            (col, onupdate.arg.self_group()._compiler_dispatch(self, **kw))
                        )
                        self.postfetch.append(col)
                    else:
                        sets.append((col, self._dml_bind(col, required=False, prefetch=True)))
                        self.update_prefetch.append(col)
                elif getattr(col, "server_onupdate", None) is not None:
                    self.postfetch.append(col)
        if not sets:
            raise exc.CompileError(f"No values to SET in UPDATE of table '{table.name}'")
        text = "UPDATE "
        if stmt._prefixes:
            text += " ".join(stmt._prefixes) + " "
        text += (
            self.preparer.format_table(table)
            + " SET "
            + ", ".join(self.preparer.format_column(c) + "=" + v for c, v in sets)
        )
        if stmt._where_criteria:
            where = self.render_condition(el.and_(*stmt._where_criteria), **kw)
            if where:
                text += " WHERE " + where
        self._check_unconsumed(stmt, consumed)
        returning = self._finish_returning(stmt, "update", [], list(self.postfetch))
        if returning:
            text += self._returning_clause(stmt, returning, **kw)
        self.stack.pop()
        return text  # type: ignore[no-any-return]

    # -- DELETE -------------------------------------------------------------------------

    def visit_delete(self, stmt: Delete, **kw: Any) -> str:
        """``DELETE FROM t WHERE ... [RETURNING ...]``."""
        self.isdelete = True
        self.stack.append({"froms": [stmt.table], "dml": stmt})
        kw.pop("asfrom", None)
        text = "DELETE "
        if stmt._prefixes:
            text += " ".join(stmt._prefixes) + " "
        text += "FROM " + self.preparer.format_table(stmt.table)
        if stmt._where_criteria:
            where = self.render_condition(el.and_(*stmt._where_criteria), **kw)
            if where:
                text += " WHERE " + where
        returning = self._finish_returning(stmt, "delete", [], [])
        if returning:
            text += self._returning_clause(stmt, returning, **kw)
        self.stack.pop()
        return text  # type: ignore[no-any-return]
