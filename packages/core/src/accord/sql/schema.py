"""Schema objects: MetaData, Table, Column, ForeignKey, constraints, Index, defaults."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import types as sqltypes
from accord.sql.elements import (
    ClauseElement,
    ColumnClause,
    ColumnElement,
    TextClause,
    coerce_expression,
)
from accord.sql.selectable import ColumnCollection, TableClause

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext

__all__ = [
    "BLANK_SCHEMA",
    "CheckConstraint",
    "Column",
    "ColumnCollectionConstraint",
    "ColumnDefault",
    "Computed",
    "Constraint",
    "DefaultClause",
    "FetchedValue",
    "ForeignKey",
    "ForeignKeyConstraint",
    "Identity",
    "Index",
    "MetaData",
    "PrimaryKeyConstraint",
    "SchemaItem",
    "Sequence",
    "Table",
    "UniqueConstraint",
]

BLANK_SCHEMA = "__blank_schema__"

_DIALECT_PREFIXES = frozenset({"sqlite", "postgresql", "mysql", "mariadb", "oracle", "mssql"})


def _is_dialect_kw(key: str) -> bool:
    # Backend-specific options are spelled <dialect>_<option>, e.g. sqlite_autoincrement.
    return key.split("_", 1)[0] in _DIALECT_PREFIXES


class SchemaItem:
    """Base of schema objects that attach to a Table or Column."""

    info: dict[str, Any]

    def _set_parent(self, parent: Any) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------


class DefaultGenerator(SchemaItem):
    """Base of column defaults, Python-side and server-side."""

    is_sequence = False
    is_server_default = False
    is_scalar = False
    is_callable = False
    is_clause_element = False
    is_identity = False
    is_computed = False
    for_update = False
    column: Column | None = None

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        if self.for_update:
            if self.is_server_default:
                parent.server_onupdate = self
            else:
                parent.onupdate = self
        elif self.is_server_default:
            parent.server_default = self
        else:
            parent.default = self


class ColumnDefault(DefaultGenerator):
    """A Python-side default (``Column(default=...)``): a scalar, callable or SQL expression.

    Callables are normalised to take one argument, the execution context.
    """

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        self.for_update = for_update
        if isinstance(arg, FetchedValue):
            raise exc.ArgumentError("ColumnDefault may not be a server-side default")
        if (
            callable(arg)
            and not isinstance(arg, ClauseElement)
            and not hasattr(arg, "__clause_element__")
        ):
            self.arg: Any = _wrap_callable(arg)
            self.is_callable = True
        elif isinstance(arg, ClauseElement) or hasattr(arg, "__clause_element__"):
            self.arg = arg.__clause_element__() if hasattr(arg, "__clause_element__") else arg
            self.is_clause_element = True
        else:
            self.arg = arg
            self.is_scalar = True

    def __repr__(self) -> str:
        return f"ColumnDefault({self.arg!r})"


def _wrap_callable(fn: Callable[..., Any]) -> Callable[[Any], Any]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return lambda ctx: fn(ctx)
    positional = [
        p
        for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())
    if positional or takes_varargs:
        if len(positional) > 1:
            raise exc.ArgumentError(
                f"A column default callable takes zero or one argument (the execution "
                f"context); {fn!r} takes {len(positional)}"
            )
        return fn
    return lambda ctx: fn()


class FetchedValue(DefaultGenerator):
    """Marks a column whose value the database generates (a trigger, a server default)."""

    is_server_default = True
    reflected = False
    has_argument = False

    def __init__(self, for_update: bool = False) -> None:
        self.for_update = for_update

    def __repr__(self) -> str:
        return "FetchedValue()"


class DefaultClause(FetchedValue):
    """A DDL-level ``DEFAULT`` (``server_default=``): a string or SQL expression."""

    has_argument = True

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        if not isinstance(arg, (str, ClauseElement, TextClause)) and not hasattr(
            arg, "__clause_element__"
        ):
            raise exc.ArgumentError(
                f"server_default must be a string, text() or SQL expression; got {arg!r}"
            )
        super().__init__(for_update)
        self.arg = arg.__clause_element__() if hasattr(arg, "__clause_element__") else arg

    def __repr__(self) -> str:
        return f"DefaultClause({self.arg!r})"


class Sequence(DefaultGenerator):
    """A database sequence (``CREATE SEQUENCE``) used as a column's default."""

    is_sequence = True

    def __init__(
        self,
        name: str,
        start: int | None = None,
        increment: int | None = None,
        minvalue: int | None = None,
        maxvalue: int | None = None,
        cycle: bool | None = None,
        schema: str | None = None,
        optional: bool = False,
        cache: int | None = None,
        metadata: MetaData | None = None,
    ) -> None:
        self.name = name
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.schema = schema
        self.optional = optional
        self.cache = cache
        self.metadata = metadata
        if metadata is not None:
            metadata._sequences[self.name] = self

    def _set_parent(self, parent: Any) -> None:
        super()._set_parent(parent)
        table = getattr(parent, "table", None)
        if table is not None and table.metadata is not None:
            self._attach_metadata(table.metadata)

    def _attach_metadata(self, metadata: MetaData) -> None:
        if self.metadata is None:
            self.metadata = metadata
        metadata._sequences[self.name] = self

    def next_value(self) -> ColumnElement:
        """The expression giving this sequence's next value."""
        from accord.sql.functions import next_value

        return next_value(self)

    def __repr__(self) -> str:
        return f"Sequence({self.name!r})"


class Identity(FetchedValue):
    """``GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY``: a database-generated key."""

    is_identity = True

    def __init__(
        self,
        always: bool = False,
        on_null: bool | None = None,
        start: int | None = None,
        increment: int | None = None,
        minvalue: int | None = None,
        maxvalue: int | None = None,
        cycle: bool | None = None,
        cache: int | None = None,
        order: bool | None = None,
    ) -> None:
        super().__init__()
        self.always = always
        self.on_null = on_null
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.cache = cache
        self.order = order

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        parent.identity = self
        if parent.server_default is None:
            parent.server_default = self

    def __repr__(self) -> str:
        return f"Identity(always={self.always})"


class Computed(FetchedValue):
    """``GENERATED ALWAYS AS (sqltext) [STORED | VIRTUAL]``: a computed column."""

    is_computed = True

    def __init__(self, sqltext: Any, persisted: bool | None = None) -> None:
        super().__init__()
        self.sqltext = (
            TextClause(sqltext) if isinstance(sqltext, str) else coerce_expression(sqltext)
        )
        self.persisted = persisted

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        parent.computed = self
        parent.server_default = self
        parent.server_onupdate = self

    def __repr__(self) -> str:
        return f"Computed({self.sqltext!r})"


# ---------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------


class Column(ColumnClause, SchemaItem):
    """A table column: name, type, keys, nullability and defaults."""

    __visit_name__ = "column"
    table: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        args_l = list(args)
        name = None
        type_: Any = None
        if args_l and isinstance(args_l[0], str):
            name = args_l.pop(0)
        elif args_l and args_l[0] is None:
            args_l.pop(0)
        if args_l and (
            isinstance(args_l[0], sqltypes.TypeEngine)
            or (isinstance(args_l[0], type) and issubclass(args_l[0], sqltypes.TypeEngine))
        ):
            type_ = args_l.pop(0)
        if "type_" in kwargs:
            type_ = kwargs.pop("type_")
        if "name" in kwargs:
            name = kwargs.pop("name")
        super().__init__(name or "", type_=type_)
        self.name = name  # type: ignore[assignment]
        self.key = kwargs.pop("key", name)
        self.table = None
        self.primary_key = bool(kwargs.pop("primary_key", False))
        nullable = kwargs.pop("nullable", ...)
        self._user_defined_nullable = nullable
        self.nullable = (not self.primary_key) if nullable is ... else bool(nullable)
        self.default: Any = None
        self.onupdate: Any = None
        self.server_default: Any = None
        self.server_onupdate: Any = None
        self.identity: Identity | None = None
        self.computed: Computed | None = None
        self.unique = kwargs.pop("unique", None)
        self.index = kwargs.pop("index", None)
        self.autoincrement = kwargs.pop("autoincrement", "auto")
        self.comment = kwargs.pop("comment", None)
        self.doc = kwargs.pop("doc", None)
        self.quote = kwargs.pop("quote", None)
        self.info = kwargs.pop("info", {})
        self.system = kwargs.pop("system", False)
        self.foreign_keys: set[ForeignKey] = set()  # type: ignore[assignment]
        self.constraints: set[Constraint] = set()
        self.dialect_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if _is_dialect_kw(k)}
        insert_default = kwargs.pop("insert_default", None)
        default = kwargs.pop("default", None)
        if default is None:
            default = insert_default
        onupdate = kwargs.pop("onupdate", None)
        server_default = kwargs.pop("server_default", None)
        server_onupdate = kwargs.pop("server_onupdate", None)
        if kwargs:
            raise exc.ArgumentError(f"Unknown arguments passed to Column: {sorted(kwargs)}")
        if default is not None:
            if not isinstance(default, DefaultGenerator) or isinstance(default, FetchedValue):
                default = ColumnDefault(default)
            default._set_parent(self)
        if onupdate is not None:
            if not isinstance(onupdate, DefaultGenerator):
                onupdate = ColumnDefault(onupdate, for_update=True)
            onupdate.for_update = True
            onupdate._set_parent(self)
        if server_default is not None:
            if not isinstance(server_default, FetchedValue):
                server_default = DefaultClause(server_default)
            server_default._set_parent(self)
        if server_onupdate is not None:
            if not isinstance(server_onupdate, FetchedValue):
                server_onupdate = DefaultClause(server_onupdate, for_update=True)
            server_onupdate.for_update = True
            server_onupdate._set_parent(self)
        self._pending_args = args_l
        self._init_items(args_l)

    def _init_items(self, items: list[Any]) -> None:
        for item in items:
            if item is None:
                continue
            if isinstance(item, (ForeignKey, DefaultGenerator, Constraint)):
                item._set_parent(self)
            else:
                raise exc.ArgumentError(f"'SchemaItem' object expected, got {item!r}")

    def _set_parent(self, table: Table) -> None:
        if not self.name:
            raise exc.ArgumentError(
                "Column must be constructed with a non-blank name or assign a non-blank "
                ".name before adding to a Table."
            )
        if self.key is None:
            self.key = self.name
        if self.table is not None and self.table is not table:
            raise exc.ArgumentError(
                f"Column object '{self.key}' already assigned to Table '{self.table.fullname}'"
            )
        existing = table._columns.get(self.key)
        if existing is not None and existing is not self:
            table._remove_column(existing)
        self.table = table
        table._columns.add(self, self.key)
        if self.primary_key:
            table.primary_key._add_column(self)
        elif self.key in table.primary_key.columns:
            self.primary_key = True
        for fk in self.foreign_keys:
            fk._set_table(table)
        if self.unique:
            table.append_constraint(UniqueConstraint(self.name, _column_flag=True))
        if self.index:
            table.append_index(Index(None, self, unique=bool(self.unique), _column_flag=True))
        if isinstance(self.default, Sequence) and table.metadata is not None:
            self.default._attach_metadata(table.metadata)

    @property
    def _from_objects(self) -> list[Any]:
        return [self.table] if self.table is not None else []

    def references(self, column: Column) -> bool:
        """True when one of this column's foreign keys points at ``column``."""
        return any(fk.column is column for fk in self.foreign_keys)

    def _fk_constraint_for(self, target: ColumnElement) -> Any:
        for fk in self.foreign_keys:
            if fk.column is target:
                return fk.constraint
        return None

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        if self.table is None:
            return ("colclause", self.name, False, self.type._static_cache_key)
        return ("column", self.table._gen_cache_key(ctx), self.key)

    def _copy(self, **kw: Any) -> Column:
        """An unattached copy of this column (its foreign keys and defaults too)."""
        args: list[Any] = [ForeignKey(fk._colspec_text(), ondelete=fk.ondelete,
                                      onupdate=fk.onupdate, name=fk.name, use_alter=fk.use_alter,
                                      deferrable=fk.deferrable, initially=fk.initially)
                           for fk in self.foreign_keys if fk.constraint is None
                           or fk.constraint._from_column]  # fmt: skip
        if self.identity is not None:
            args.append(self.identity.__class__(**_identity_kwargs(self.identity)))
        if self.computed is not None:
            args.append(Computed(self.computed.sqltext, self.computed.persisted))
        c = Column(
            self.name,
            self.type,
            *args,
            key=self.key,
            primary_key=self.primary_key,
            nullable=self._user_defined_nullable
            if self._user_defined_nullable is not ...
            else self.nullable,  # fmt: skip
            default=self.default.arg
            if isinstance(self.default, ColumnDefault)
            else self.default,  # fmt: skip
            onupdate=self.onupdate.arg
            if isinstance(self.onupdate, ColumnDefault)
            else self.onupdate,  # fmt: skip
            server_default=self.server_default
            if self.computed is None and self.identity is None
            else None,  # fmt: skip
            server_onupdate=self.server_onupdate if self.computed is None else None,
            unique=self.unique,
            index=self.index,
            autoincrement=self.autoincrement,
            comment=self.comment,
            info=dict(self.info),
            **kw,
        )
        return c

    copy = _copy

    def __repr__(self) -> str:
        table = self.table.name + "." if self.table is not None else ""
        return f"Column({table}{self.name!r}, {self.type!r})"


def _identity_kwargs(identity: Identity) -> dict[str, Any]:
    return {k: v for k, v in identity.__dict__.items() if k not in ("column", "for_update")}


# ---------------------------------------------------------------------------------------
# foreign keys and constraints
# ---------------------------------------------------------------------------------------


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
        if target is None and self.link_to_name or target is None:
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
        if isinstance(parent, Table):
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
            if c._user_defined_nullable is ...:  # type: ignore[attr-defined]
                c.nullable = False

    def _add_column(self, col: Column) -> None:
        if not self.columns.contains_column(col):
            self.columns.add(col)

    def _replace_with(self, other: PrimaryKeyConstraint) -> None:
        for c in self.columns:
            if not other.columns.contains_column(c) and other._pending:
                pass


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
            *columns, name=name, deferrable=deferrable, initially=initially, info=info,
            comment=comment,
        )  # fmt: skip
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
                fk._set_parent(col)  # type: ignore[arg-type]

    @property
    def referred_table(self) -> Table:
        """The table the constraint references."""
        return self.elements[0].column.table  # type: ignore[no-any-return]

    @property
    def column_keys(self) -> list[str]:
        """Keys of the constrained columns."""
        return [c.key for c in self.columns]  # type: ignore[misc]

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
            if isinstance(e, Column) and t is not None:
                table = t
            elif not isinstance(e, str):
                for f in getattr(e, "_from_objects", []):
                    if isinstance(f, Table):
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
            if isinstance(e, Column):
                self.columns.add(e)
        if self.name is None:
            naming = table.metadata.naming_convention if table.metadata is not None else {}
            pattern = naming.get("ix", "ix_%(column_0_label)s")
            first = self.columns[0] if len(self.columns) else None
            self.name = pattern % {
                "column_0_label": f"{table.name}_{first.name}"
                if first is not None
                else table.name,  # fmt: skip
                "column_0_name": first.name if first is not None else "",
                "table_name": table.name,
            }

    def __repr__(self) -> str:
        return f"Index({self.name!r})"


# ---------------------------------------------------------------------------------------
# tables and metadata
# ---------------------------------------------------------------------------------------


class Table(TableClause, SchemaItem):
    """A table in a MetaData: ``Table(name, metadata, *columns_and_constraints, schema=...)``."""

    __visit_name__ = "table"
    # Plain attributes here shadow FromClause's computed properties.
    primary_key: PrimaryKeyConstraint = None  # type: ignore[assignment]
    foreign_keys: set[ForeignKey] = None  # type: ignore[assignment]

    def __new__(cls, *args: Any, **kw: Any) -> Table:
        if len(args) < 2 or not isinstance(args[1], MetaData):
            if not args:
                return super().__new__(cls)
            raise exc.ArgumentError("Table() takes a name and a MetaData as its first arguments")
        name, metadata = args[0], args[1]
        schema = kw.get("schema", None)
        if schema is None:
            schema = metadata.schema
        elif schema is BLANK_SCHEMA:
            schema = None
        key = f"{schema}.{name}" if schema else name
        existing = metadata.tables.get(key)
        if existing is not None:
            if kw.get("extend_existing"):
                existing._extend(*args[2:], **kw)
                existing._skip_init = True
                return existing
            if kw.get("keep_existing"):
                existing._skip_init = True
                return existing
            if len(args) > 2 or any(k not in ("schema",) for k in kw):
                raise exc.InvalidRequestError(
                    f"Table '{key}' is already defined for this MetaData instance. Specify "
                    "'extend_existing=True' to redefine options and columns on an existing "
                    "Table object."
                )
            existing._skip_init = True
            return existing
        obj = super().__new__(cls)
        obj._skip_init = False
        return obj

    def __init__(self, name: str, metadata: MetaData, *args: Any, **kw: Any) -> None:
        if getattr(self, "_skip_init", False):
            self._skip_init = False
            return
        schema = kw.pop("schema", None)
        if schema is None:
            schema = metadata.schema
        elif schema is BLANK_SCHEMA:
            schema = None
        kw.pop("extend_existing", None)
        kw.pop("keep_existing", None)
        super().__init__(name, schema=schema)
        self.metadata = metadata
        self.info = kw.pop("info", {})
        self.comment = kw.pop("comment", None)
        self.implicit_returning = kw.pop("implicit_returning", True)
        kw.pop("quote", None)
        kw.pop("autoload_with", None)
        self.dialect_kwargs: dict[str, Any] = {}
        for k in list(kw):
            if _is_dialect_kw(k):
                self.dialect_kwargs[k] = kw.pop(k)
        if kw:
            raise exc.ArgumentError(f"Unknown arguments passed to Table: {sorted(kw)}")
        self.primary_key = PrimaryKeyConstraint()
        self.primary_key.table = self
        self.constraints: set[Constraint] = {self.primary_key}
        self.indexes: set[Index] = set()
        self.foreign_keys = set()
        metadata._add_table(self)
        self._init_items(*args)

    def _extend(self, *args: Any, **kw: Any) -> None:
        for k in ("info", "comment"):
            if k in kw:
                setattr(self, k, kw[k])
        self._init_items(*args)

    def _init_items(self, *args: Any) -> None:
        columns = [a for a in args if isinstance(a, Column)]
        others = [a for a in args if not isinstance(a, Column)]
        for c in columns:
            c._set_parent(self)
        for c in columns:
            for con in list(c.constraints):
                if con.table is None:
                    self.append_constraint(con)
        for item in others:
            if item is None:
                continue
            if isinstance(item, Constraint):
                self.append_constraint(item)
            elif isinstance(item, Index):
                self.append_index(item)
            else:
                raise exc.ArgumentError(f"'SchemaItem' object expected, got {item!r}")

    def append_column(self, column: ColumnClause, replace_existing: bool = False) -> None:
        """Add a Column to this table."""
        if isinstance(column, Column):
            column._set_parent(self)
            for con in list(column.constraints):
                if con.table is None:
                    self.append_constraint(con)
        else:
            super().append_column(column)

    def _remove_column(self, column: Column) -> None:
        self._columns.remove(column)
        self.primary_key.columns.remove(column)

    def append_constraint(self, constraint: Constraint) -> None:
        """Add a constraint to this table."""
        if isinstance(constraint, PrimaryKeyConstraint):
            for c in list(self.primary_key.columns):
                c.primary_key = False
            constraint._attach(self)
            self.constraints.discard(self.primary_key)
            self.primary_key = constraint  # type: ignore[assignment]
            self.constraints.add(constraint)
            return
        if isinstance(constraint, (ColumnCollectionConstraint, CheckConstraint)):
            constraint._attach(self)
        self.constraints.add(constraint)
        if isinstance(constraint, ForeignKeyConstraint):
            self.foreign_keys.update(constraint.elements)

    def append_index(self, index: Index) -> None:
        """Add an index to this table."""
        if index.table is None:
            index._attach(self)
        self.indexes.add(index)

    def _populate_columns(self, cols: ColumnCollection) -> None:
        pass

    @property
    def c(self) -> ColumnCollection:  # type: ignore[override]
        """The table's columns, by key."""
        return self._columns

    columns = c  # type: ignore[assignment]

    @property
    def key(self) -> str:
        """``schema.name`` or ``name``: the key in ``MetaData.tables``."""
        return self.fullname

    @property
    def autoincrement_column(self) -> Column | None:
        """The integer primary-key column the database generates, if any."""
        return self._autoincrement_column

    @property
    def _autoincrement_column(self) -> Column | None:
        pk = list(self.primary_key.columns)
        explicit = [c for c in pk if c.autoincrement is True]  # type: ignore[attr-defined]
        if explicit:
            return explicit[0]  # type: ignore[return-value]
        if len(pk) != 1:
            return None
        col: Column = pk[0]  # type: ignore[assignment]
        if col.autoincrement not in ("auto", "ignore_fk"):
            return None
        t = col.type
        if isinstance(t, sqltypes.TypeDecorator):
            t = t.impl
        if not getattr(t, "_is_integer", False):
            return None
        if col.default is not None and not isinstance(col.default, Sequence):
            return None
        if col.server_default is not None and not isinstance(col.server_default, Identity):
            return None
        if col.foreign_keys and col.autoincrement != "ignore_fk":
            return None
        return col

    def tometadata(self, metadata: MetaData, schema: Any = None) -> Table:
        """A copy of this table in another MetaData."""
        return self.to_metadata(metadata, schema)

    def to_metadata(
        self, metadata: MetaData, schema: Any = None, name: str | None = None
    ) -> Table:
        """A copy of this table in another MetaData."""
        args: list[Any] = [c._copy() for c in self.c]  # type: ignore[attr-defined]
        for con in self.constraints:
            if isinstance(con, UniqueConstraint) and not con._column_flag:
                args.append(UniqueConstraint(*[c.name for c in con.columns], name=con.name))  # type: ignore[attr-defined]
            elif isinstance(con, CheckConstraint):
                args.append(CheckConstraint(con.sqltext, name=con.name))
            elif isinstance(con, ForeignKeyConstraint) and not con._from_column:
                args.append(ForeignKeyConstraint(
                    [c.name for c in con.columns],  # type: ignore[attr-defined]
                    [fk._colspec_text() for fk in con.elements], name=con.name,
                    ondelete=con.ondelete, onupdate=con.onupdate))  # fmt: skip
        pk_names = [c.name for c in self.primary_key.columns]  # type: ignore[attr-defined]
        args.append(PrimaryKeyConstraint(*pk_names, name=self.primary_key.name))
        for ix in self.indexes:
            if not ix._column_flag:
                args.append(Index(ix.name, *[c.name for c in ix.columns], unique=ix.unique))  # type: ignore[attr-defined]
        return Table(
            name or self.name,
            metadata,
            *args,
            schema=self.schema if schema is None else schema,
            comment=self.comment,
            info=dict(self.info),
        )

    def create(self, bind: Any, checkfirst: bool = False) -> None:
        """Issue CREATE TABLE (and its indexes) on ``bind``."""
        from accord.sql.ddl import create_tables

        create_tables(bind, [self], checkfirst=checkfirst, sequences=False)

    def drop(self, bind: Any, checkfirst: bool = False) -> None:
        """Issue DROP TABLE on ``bind``."""
        from accord.sql.ddl import drop_tables

        drop_tables(bind, [self], checkfirst=checkfirst, sequences=False)

    def __repr__(self) -> str:
        cols = ", ".join(repr(c) for c in self.c)
        return f"Table({self.name!r}, MetaData(), {cols}, schema={self.schema!r})"


class MetaData:
    """A collection of Tables (keyed by ``[schema.]name``) and Sequences."""

    def __init__(
        self,
        schema: str | None = None,
        naming_convention: dict[str, str] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        self.naming_convention = naming_convention or {"ix": "ix_%(column_0_label)s"}
        self.info = info or {}
        self.tables: dict[str, Table] = {}
        self._sequences: dict[str, Sequence] = {}

    def _add_table(self, table: Table) -> None:
        self.tables[table.key] = table

    def remove(self, table: Table) -> None:
        """Remove ``table`` from this collection."""
        self.tables.pop(table.key, None)

    def clear(self) -> None:
        """Remove every table."""
        self.tables.clear()
        self._sequences.clear()

    def __contains__(self, table_or_key: Any) -> bool:
        if not isinstance(table_or_key, str):
            table_or_key = table_or_key.key
        return table_or_key in self.tables

    @property
    def sorted_tables(self) -> list[Table]:
        """Tables ordered so that each comes after the tables it references."""
        from accord.sql.ddl import sort_tables

        return sort_tables(
            sorted(self.tables.values(), key=lambda t: t.key), ignore_use_alter=False
        )

    def create_all(self, bind: Any, tables: Any = None, checkfirst: bool = True) -> None:
        """CREATE every table (or ``tables``) in foreign-key order; skip existing ones."""
        from accord.sql.ddl import create_tables

        create_tables(
            bind,
            list(self.tables.values()) if tables is None else list(tables),
            checkfirst=checkfirst,
            metadata=self,
        )

    def drop_all(self, bind: Any, tables: Any = None, checkfirst: bool = True) -> None:
        """DROP every table (or ``tables``) in reverse foreign-key order."""
        from accord.sql.ddl import drop_tables

        drop_tables(
            bind,
            list(self.tables.values()) if tables is None else list(tables),
            checkfirst=checkfirst,
            metadata=self,
        )

    def __repr__(self) -> str:
        return "MetaData()"
