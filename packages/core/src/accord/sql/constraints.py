"""Foreign keys, table constraints (primary key, unique, check, foreign key) and indexes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql.defaults import SchemaItem
from accord.sql.fromclause import ColumnCollection
from accord.sql.textual import ColumnClause, TextClause

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from accord.sql.elements import ColumnElement
    from accord.sql.fromclause import TableClause
    from accord.sql.schema import Column, Table

__all__ = [
    "CheckConstraint",
    "ColumnCollectionConstraint",
    "Constraint",
    "ForeignKey",
    "ForeignKeyConstraint",
    "Index",
    "PrimaryKeyConstraint",
    "UniqueConstraint",
    "conventional_name",
]


class ForeignKey(SchemaItem):
    """A column-level reference to another table's column (``"table.column"`` or a Column)."""

    def __init__(
        self,
        column: Any,
        _constraint: ForeignKeyConstraint | None = None,
        use_alter: bool = False,
        name: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        link_to_name: bool = False,
        match: str | None = None,
        info: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> None:
        ce = getattr(column, "__clause_element__", None)
        self._colspec: Any = ce() if ce is not None else column
        if not isinstance(self._colspec, (str, ColumnClause)):
            raise exc.ArgumentError(
                f"String column name or Column object for ForeignKey expected, got {column!r}"
            )
        self.constraint = _constraint
        self.use_alter = use_alter
        self.name = name
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.deferrable = deferrable
        self.initially = initially
        self.link_to_name = link_to_name
        self.match = match
        self.info = info or {}
        self.comment = comment
        self.parent: Column = None  # type: ignore[assignment]
        self._resolved: Column | None = None

    def _colspec_text(self) -> str:
        spec = self._colspec
        if isinstance(spec, str):
            return spec
        table = spec.table
        return f"{table.fullname}.{spec.key}" if table is not None else spec.key

    @property
    def target_fullname(self) -> str:
        """``"[schema.]table.column"`` of the referenced column."""
        return self._colspec_text()

    def _table_and_column_names(self) -> tuple[str | None, str, str]:
        spec = self._colspec_text()
        parts = spec.split(".")
        if len(parts) < 2:
            raise exc.ArgumentError(
                f"Invalid foreign key column specification: {spec!r}; expected 'table.column'"
            )
        colname = parts[-1]
        tname = parts[-2]
        schema = ".".join(parts[:-2]) or None
        return schema, tname, colname

    def _set_parent(self, column: Column) -> None:
        self.parent = column
        column.foreign_keys.add(self)
        if column.table is not None:
            self._set_table(column.table)

    def _set_table(self, table: Table) -> None:
        if self.constraint is None:
            self.constraint = ForeignKeyConstraint(
                [],
                [],
                use_alter=self.use_alter,
                name=self.name,
                onupdate=self.onupdate,
                ondelete=self.ondelete,
                deferrable=self.deferrable,
                initially=self.initially,
                match=self.match,
            )
            self.constraint._from_column = True
            self.constraint._append_element(self)
            table.append_constraint(self.constraint)
        elif self.constraint.table is None:
            table.append_constraint(self.constraint)

    @property
    def column(self) -> Column:
        """The referenced Column, resolved through the parent table's MetaData."""
        if self._resolved is not None:
            return self._resolved
        spec = self._colspec
        if isinstance(spec, ColumnClause) and not isinstance(spec, str):
            self._resolved = spec  # type: ignore[assignment]
            if self.parent is not None and self.parent.type._is_null:
                self.parent.type = spec.type
            return spec  # type: ignore[return-value]
        parent_table = self.parent.table if self.parent is not None else None
        if parent_table is None or parent_table.metadata is None:
            raise exc.InvalidRequestError(
                f"this ForeignKey's parent column is not yet associated with a Table: {spec!r}"
            )
        schema, tname, colname = self._table_and_column_names()
        metadata = parent_table.metadata
        if schema is None and parent_table.schema is not None:
            key = f"{parent_table.schema}.{tname}"
            if key not in metadata.tables:
                key = tname
        else:
            key = f"{schema}.{tname}" if schema else tname
        if schema is None and key not in metadata.tables and metadata.schema:
            key = f"{metadata.schema}.{tname}"
        target_table = metadata.tables.get(key)
        if target_table is None:
            raise exc.NoReferencedTableError(
                f"Foreign key associated with column '{self.parent.table.name}."
                f"{self.parent.name}' could not find table '{key}' with which to generate "
                f"a foreign key to target column '{colname}'",
                key,
            )
        target = target_table.c.get(colname)
        if (target is None and self.link_to_name) or target is None:
            target = next((c for c in target_table.c if c.name == colname), None)
        if target is None:
            raise exc.NoReferencedColumnError(
                f"Could not initialize target column for ForeignKey '{self._colspec_text()}' "
                f"on table '{parent_table.name}': table '{target_table.name}' has no column "
                f"named '{colname}'",
                target_table.name,
                colname,
            )
        self._resolved = target
        if self.parent.type._is_null:
            self.parent.type = target.type
        return target  # type: ignore[no-any-return]

    def references(self, table: TableClause) -> bool:
        """True when this foreign key points at ``table``."""
        return self.column.table is table

    def get_referent(self, table: Any) -> ColumnElement | None:
        """The column of ``table`` (or of an alias of it) that this key references."""
        try:
            target = self.column
        except exc.InvalidRequestError:
            return None
        return table.corresponding_column(target)  # type: ignore[no-any-return]

    @property
    def _table_key(self) -> str:
        schema, tname, _ = self._table_and_column_names()
        return f"{schema}.{tname}" if schema else tname

    def __repr__(self) -> str:
        return f"ForeignKey({self._colspec_text()!r})"


class Constraint(SchemaItem):
    """Base of table constraints; ``name`` may be None for an unnamed constraint."""

    __visit_name__ = "constraint"

    def __init__(
        self,
        *,
        name: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        info: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> None:
        self.name = name
        self.deferrable = deferrable
        self.initially = initially
        self.info = info or {}
        self.comment = comment
        self.table: Table | None = None

    def _set_parent(self, parent: Any) -> None:
        if getattr(parent, "_is_table", False):
            parent.append_constraint(self)
        else:
            # A constraint given inside Column(...): attaches once the column has a table.
            parent.constraints.add(self)
            self._column_parent = parent


class ColumnCollectionConstraint(Constraint):
    """A constraint over a list of columns (names or Column objects)."""

    def __init__(self, *columns: Any, **kw: Any) -> None:
        self._column_flag = kw.pop("_column_flag", False)
        super().__init__(**kw)
        self._pending = list(columns)
        self.columns = ColumnCollection()

    def _attach(self, table: Table) -> None:
        self.table = table
        for c in self._pending:
            ce = getattr(c, "__clause_element__", None)
            col = ce() if ce is not None else c
            if isinstance(col, str):
                found = table.c.get(col)
                if found is None:
                    found = next((x for x in table.c if x.name == col), None)
                if found is None:
                    raise exc.ArgumentError(
                        f"Can't create {type(self).__name__} on table '{table.name}': "
                        f"no column named '{col}' is present."
                    )
                col = found
            self.columns.add(col)

    def __contains__(self, col: Any) -> bool:
        return self.columns.contains_column(col)

    def __iter__(self) -> Iterator[ColumnElement]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class PrimaryKeyConstraint(ColumnCollectionConstraint):
    """``PRIMARY KEY (a, b)``."""

    __visit_name__ = "primary_key_constraint"

    def _attach(self, table: Table) -> None:
        super()._attach(table)
        for c in self.columns:
            c.primary_key = True
            if c._user_defined_nullable is ...:
                c.nullable = False

    def _add_column(self, col: Column) -> None:
        if not self.columns.contains_column(col):
            self.columns.add(col)


class UniqueConstraint(ColumnCollectionConstraint):
    """``UNIQUE (a, b)``."""

    __visit_name__ = "unique_constraint"


class CheckConstraint(Constraint):
    """``CHECK (sqltext)``; ``sqltext`` is a string or a SQL expression."""

    __visit_name__ = "check_constraint"

    def __init__(self, sqltext: Any, name: str | None = None, **kw: Any) -> None:
        super().__init__(name=name, **kw)
        self.sqltext = TextClause(sqltext) if isinstance(sqltext, str) else sqltext

    def _attach(self, table: Table) -> None:
        self.table = table


class ForeignKeyConstraint(ColumnCollectionConstraint):
    """``FOREIGN KEY (a, b) REFERENCES t (x, y) [ON DELETE ...] [ON UPDATE ...]``."""

    __visit_name__ = "foreign_key_constraint"

    def __init__(
        self,
        columns: Iterable[Any],
        refcolumns: Iterable[Any],
        name: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        use_alter: bool = False,
        link_to_name: bool = False,
        match: str | None = None,
        info: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> None:
        columns = list(columns)
        refcolumns = list(refcolumns)
        super().__init__(
            *columns,
            name=name,
            deferrable=deferrable,
            initially=initially,
            info=info,
            comment=comment,
        )
        if len(columns) != len(refcolumns):
            raise exc.ArgumentError(
                "ForeignKeyConstraint number of constrained columns must match the number "
                "of referenced columns."
            )
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.use_alter = use_alter
        self.link_to_name = link_to_name
        self.match = match
        self._from_column = False
        self.elements: list[ForeignKey] = [
            ForeignKey(
                ref,
                _constraint=self,
                name=name,
                onupdate=onupdate,
                ondelete=ondelete,
                use_alter=use_alter,
                link_to_name=link_to_name,
                match=match,
                deferrable=deferrable,
                initially=initially,
            )
            for ref in refcolumns
        ]

    def _append_element(self, fk: ForeignKey) -> None:
        self.elements.append(fk)
        self._pending.append(fk.parent)

    def _attach(self, table: Table) -> None:
        super()._attach(table)
        if not self._from_column:
            for col, fk in zip(self.columns, self.elements, strict=True):
                fk._set_parent(col)

    @property
    def referred_table(self) -> Table:
        """The table the constraint references."""
        return self.elements[0].column.table  # type: ignore[no-any-return]

    @property
    def column_keys(self) -> list[str]:
        """Keys of the constrained columns."""
        return [c.key for c in self.columns]

    def _referred_table_key(self) -> str:
        return self.elements[0]._table_key


class Index(SchemaItem):
    """``CREATE [UNIQUE] INDEX name ON table (expressions)``."""

    __visit_name__ = "index"

    def __init__(
        self,
        name: str | None,
        *expressions: Any,
        unique: bool = False,
        quote: bool | None = None,
        info: dict[str, Any] | None = None,
        _column_flag: bool = False,
        **dialect_kw: Any,
    ) -> None:
        self.name = name
        self.unique = unique
        self.info = info or {}
        self.table: Table | None = None
        self._column_flag = _column_flag
        self.dialect_kwargs = dialect_kw
        self.expressions: list[Any] = []
        self.columns = ColumnCollection()
        self._pending = list(expressions)
        table = None
        for e in expressions:
            ce = getattr(e, "__clause_element__", None)
            e = ce() if ce is not None else e
            t = getattr(e, "table", None)
            if getattr(e, "_is_schema_column", False) and t is not None:
                table = t
            elif not isinstance(e, str):
                for f in getattr(e, "_from_objects", []):
                    if getattr(f, "_is_table", False):
                        table = f
        if table is not None and not _column_flag:
            table.append_index(self)

    def _attach(self, table: Table) -> None:
        self.table = table
        for e in self._pending:
            ce = getattr(e, "__clause_element__", None)
            e = ce() if ce is not None else e
            if isinstance(e, str):
                col = table.c.get(e)
                if col is None:
                    raise exc.ArgumentError(
                        f"Index {self.name!r} names column {e!r} that table '{table.name}' "
                        "does not have"
                    )
                e = col
            self.expressions.append(e)
            if getattr(e, "_is_schema_column", False):
                self.columns.add(e)
        if self.name is None:
            first = self.columns[0].name if len(self.columns) else None
            default = f"ix_{table.name}_{first}" if first else f"ix_{table.name}"
            self.name = conventional_name(self) or default

    def __repr__(self) -> str:
        return f"Index({self.name!r})"


_CONVENTION_KEYS = {
    "primary_key_constraint": "pk",
    "unique_constraint": "uq",
    "check_constraint": "ck",
    "foreign_key_constraint": "fk",
    "index": "ix",
}


def conventional_name(item: Any) -> str | None:
    """The name ``MetaData.naming_convention`` gives an unnamed constraint or index.

    Tokens: ``table_name``, ``column_0_name``, ``column_0_label``, ``column_0N_name``,
    ``column_0_N_name``, ``referred_table_name``, ``referred_column_0_name`` and, for a
    constraint named explicitly elsewhere, ``constraint_name``.
    """
    table: Any = getattr(item, "table", None)
    metadata = getattr(table, "metadata", None)
    if table is None or metadata is None:
        return None
    pattern = metadata.naming_convention.get(_CONVENTION_KEYS.get(item.__visit_name__, ""))
    if pattern is None:
        return None
    names = [c.name for c in getattr(item, "columns", ())]
    tokens: dict[str, str] = {
        "table_name": table.name,
        "column_0_name": names[0] if names else "",
        "column_0_label": f"{table.name}_{names[0]}" if names else table.name,
        "column_0N_name": "".join(names),
        "column_0_N_name": "_".join(names),
        "constraint_name": item.name or "",
    }
    if isinstance(item, ForeignKeyConstraint) and item.elements:
        try:
            target = item.elements[0].column
        except exc.InvalidRequestError:
            target = None
        if target is not None:
            tokens["referred_table_name"] = target.table.name
            tokens["referred_column_0_name"] = target.name
    try:
        return pattern % tokens  # type: ignore[no-any-return]
    except KeyError as e:
        raise exc.ArgumentError(
            f"Naming convention {pattern!r} uses token {e.args[0]!r}, which is not available "
            f"for {type(item).__name__} on table '{table.name}'"
        ) from None
