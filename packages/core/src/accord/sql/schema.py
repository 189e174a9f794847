"""Schema objects: MetaData, Table, Column, ForeignKey, constraints, Index, defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import types as sqltypes
from accord.sql.constraints import (
    CheckConstraint,
    ColumnCollectionConstraint,
    Constraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from accord.sql.defaults import (
    ColumnDefault,
    Computed,
    DefaultClause,
    DefaultGenerator,
    FetchedValue,
    Identity,
    SchemaItem,
    Sequence,
)
from accord.sql.fromclause import ColumnCollection, TableClause
from accord.sql.textual import ColumnClause

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext
    from accord.sql.elements import ColumnElement

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


# ---------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------


class Column(ColumnClause, SchemaItem):
    """A table column: name, type, keys, nullability and defaults."""

    __visit_name__ = "column"
    _is_schema_column = True
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

    def _resolve_type(self) -> sqltypes.TypeEngine:
        """The column's type; a foreign-key column declared without one takes its target's."""
        if self.type._is_null:
            for fk in self.foreign_keys:
                try:
                    fk.column  # noqa: B018 - resolving the target copies its type here
                except exc.InvalidRequestError:
                    continue
                break
        return self.type

    def references(self, column: Column) -> bool:
        """True when one of this column's foreign keys points at ``column``."""
        return any(fk.column is column for fk in self.foreign_keys)

    def _fk_constraint_for(self, target: ColumnElement) -> Any:
        for fk in self.foreign_keys:
            if fk.column is target:
                return fk.constraint
        return None

    _memo_key: Any = None

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        key = self._memo_key
        if key is None:
            if self.table is None:
                return ("colclause", self.name, False, self.type._static_cache_key)
            # A table column's key never changes once it belongs to its table.
            key = self._memo_key = ("column", self.table._gen_cache_key(ctx), self.key)
        return key

    def _copy(self, **kw: Any) -> Column:
        """An unattached copy of this column (its foreign keys and defaults too)."""
        args: list[Any] = [
            ForeignKey(
                fk._colspec_text(),
                ondelete=fk.ondelete,
                onupdate=fk.onupdate,
                name=fk.name,
                use_alter=fk.use_alter,
                deferrable=fk.deferrable,
                initially=fk.initially,
            )
            for fk in self.foreign_keys
            if fk.constraint is None or fk.constraint._from_column
        ]
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
            else self.nullable,
            default=self.default.arg if isinstance(self.default, ColumnDefault) else self.default,
            onupdate=self.onupdate.arg
            if isinstance(self.onupdate, ColumnDefault)
            else self.onupdate,
            server_default=self.server_default
            if self.computed is None and self.identity is None
            else None,
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


# ---------------------------------------------------------------------------------------
# tables and metadata
# ---------------------------------------------------------------------------------------


class Table(TableClause, SchemaItem):
    """A table in a MetaData: ``Table(name, metadata, *columns_and_constraints, schema=...)``."""

    __visit_name__ = "table"
    _is_table = True
    # Plain attributes here shadow FromClause's computed properties.
    primary_key: PrimaryKeyConstraint = None  # type: ignore[assignment]
    foreign_keys: set[ForeignKey] = None  # type: ignore[assignment]

    def __new__(cls, *args: Any, **kw: Any) -> Table:
        if len(args) < 2 or not isinstance(args[1], MetaData):
            if not args:
                return super().__new__(cls)
            raise exc.ArgumentError("Table() takes a name and a MetaData as its first arguments")
        name, metadata = args[0], args[1]
        schema = kw.get("schema")
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
        metadata._resolve_fk_types(self)

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
            self.primary_key = constraint
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
    def c(self) -> ColumnCollection:
        """The table's columns, by key."""
        return self._columns

    columns = c

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
        explicit = [c for c in pk if c.autoincrement is True]
        if explicit:
            return explicit[0]  # type: ignore[no-any-return]
        if len(pk) != 1:
            return None
        col: Column = pk[0]
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
        args: list[Any] = [c._copy() for c in self.c]
        for con in self.constraints:
            if isinstance(con, UniqueConstraint) and not con._column_flag:
                args.append(UniqueConstraint(*[c.name for c in con.columns], name=con.name))
            elif isinstance(con, CheckConstraint):
                args.append(CheckConstraint(con.sqltext, name=con.name))
            elif isinstance(con, ForeignKeyConstraint) and not con._from_column:
                args.append(
                    ForeignKeyConstraint(
                        [c.name for c in con.columns],
                        [fk._colspec_text() for fk in con.elements],
                        name=con.name,
                        ondelete=con.ondelete,
                        onupdate=con.onupdate,
                    )
                )
        pk_names = [c.name for c in self.primary_key.columns]
        args.append(PrimaryKeyConstraint(*pk_names, name=self.primary_key.name))
        for ix in self.indexes:
            if not ix._column_flag:
                args.append(Index(ix.name, *[c.name for c in ix.columns], unique=ix.unique))
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
        self._pending_fk_types: dict[str, list[ForeignKey]] = {}

    def _add_table(self, table: Table) -> None:
        self.tables[table.key] = table

    def _resolve_fk_types(self, table: Table) -> None:
        # A foreign-key column declared without a type takes its target's type as soon as
        # both tables exist, so binds get the right processors (e.g. Uuid on sqlite).
        for fk in table.foreign_keys:
            if fk.parent is not None and fk.parent.type._is_null:
                try:
                    fk.column  # noqa: B018 - resolving copies the target's type
                except exc.InvalidRequestError:
                    self._pending_fk_types.setdefault(fk._table_key, []).append(fk)
        for fk in self._pending_fk_types.pop(table.key, ()):
            try:
                fk.column  # noqa: B018
            except exc.InvalidRequestError:
                continue

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
