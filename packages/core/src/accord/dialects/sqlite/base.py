"""The compile side of the sqlite dialect: compilers, reserved words, type storage."""

from __future__ import annotations

import datetime as _dt
import decimal
import re
import sqlite3
from collections.abc import Callable
from typing import Any, ClassVar

from accord import exc
from accord.sql import types as sqltypes
from accord.sql.compiler import SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler, _column_type
from accord.sql.on_conflict import OnConflictCompilerMixin
from accord.sql.preparer import IdentifierPreparer

__all__ = [
    "RESERVED_WORDS",
    "SQLiteCompiler",
    "SQLiteDDLCompiler",
    "SQLiteDialect",
    "SQLiteIdentifierPreparer",
    "SQLiteTypeCompiler",
]

RESERVED_WORDS = frozenset(
    """
    abort action add after all alter analyze and as asc attach autoincrement before begin
    between by cascade case cast check collate column commit conflict constraint create
    cross current_date current_time current_timestamp database default deferrable deferred
    delete desc detach distinct drop each else end escape except exclusive exists explain
    false fail filter for foreign from full glob group having if ignore immediate in index
    indexed initially inner insert instead intersect into is isnull join key left like limit
    match natural no not notnull null of offset on or order outer plan pragma primary query
    raise recursive references regexp reindex release rename replace restrict right rollback
    row rows savepoint select set table temp temporary then to transaction trigger true
    union unique update using vacuum values view virtual when where with without
    """.split()  # noqa: SIM905 - a word list reads best as text
)

Processor = Callable[[Any], Any]


# ---------------------------------------------------------------------------------------
# type storage (the dialect's colspecs)
# ---------------------------------------------------------------------------------------


def _iso_parser(kind: type) -> Processor:
    parse = kind.fromisoformat  # type: ignore[attr-defined]

    def process(value: Any) -> Any:
        if value is None or isinstance(value, kind):
            return value
        if kind is _dt.date and isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, bytes):
            value = value.decode()
        return parse(value)

    return process


class _SQLiteDateTime(sqltypes.DateTime):
    """DateTime stored as ``YYYY-MM-DD HH:MM:SS.ffffff`` text."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """datetime -> ISO text (dates pass as midnight)."""

        def process(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, _dt.datetime):
                return value.isoformat(sep=" ", timespec="microseconds")
            if isinstance(value, _dt.date):
                return _dt.datetime(value.year, value.month, value.day).isoformat(
                    sep=" ", timespec="microseconds"
                )
            raise TypeError(
                f"SQLite DateTime type only accepts Python datetime objects: {value!r}"
            )

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """ISO text -> datetime."""
        return _iso_parser(_dt.datetime)


class _SQLiteDate(sqltypes.Date):
    """Date stored as ``YYYY-MM-DD`` text."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """date -> ISO text."""

        def process(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, _dt.datetime):
                value = value.date()
            if isinstance(value, _dt.date):
                return value.isoformat()
            raise TypeError(f"SQLite Date type only accepts Python date objects: {value!r}")

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """ISO text -> date."""
        return _iso_parser(_dt.date)


class _SQLiteTime(sqltypes.Time):
    """Time stored as ``HH:MM:SS.ffffff`` text."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """time -> ISO text."""

        def process(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, _dt.time):
                return value.isoformat(timespec="microseconds")
            raise TypeError(f"SQLite Time type only accepts Python time objects: {value!r}")

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """ISO text -> time."""
        return _iso_parser(_dt.time)


class _SQLiteNumeric(sqltypes.Numeric):
    """Numeric bound as a float and read back as Decimal through ``str``.

    sqlite stores NUMERIC values as REAL (or INTEGER) anyway; binding floats keeps
    comparisons with computed values (``sum(x) > ?``) numeric, where text would not be.
    """

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Decimal -> float (sqlite3 cannot bind Decimal)."""
        return sqltypes._decimal_to_float

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Numbers -> Decimal via ``str`` (or float when ``asdecimal=False``)."""
        if not self.asdecimal:
            return _to_float
        scale = self.scale

        def process(value: Any) -> Any:
            if value is None or isinstance(value, decimal.Decimal):
                return value
            d = decimal.Decimal(str(value))
            if scale is not None and isinstance(value, float):
                d = d.quantize(decimal.Decimal(1).scaleb(-scale))
            return d

        return process


def _to_float(value: Any) -> Any:
    return None if value is None else float(value)


class _SQLiteFloat(sqltypes.Float):
    """Float: REAL; Decimal only when ``asdecimal``."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Floats go to the driver as they are (no per-value cost on the hot path)."""
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """REAL -> float (or Decimal via str when ``asdecimal``)."""
        if self.asdecimal:
            return lambda v: None if v is None else decimal.Decimal(str(v))
        return None


class _SQLiteBoolean(sqltypes.Boolean):
    """Boolean stored as 0/1."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """bool -> int is done by sqlite3 itself (bool is an int)."""
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """0/1 -> bool."""
        return sqltypes._int_to_bool


class _SQLiteUuid(sqltypes.Uuid):
    """Uuid stored as 32 hex characters."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """UUID (or string form) -> hex."""
        return sqltypes._uuid_to_hex

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """hex -> uuid.UUID (or hyphenated str when ``as_uuid=False``)."""
        return sqltypes._hex_to_uuid if self.as_uuid else sqltypes._hex_to_str


class _SQLiteJSON(sqltypes.JSON):
    """JSON stored as text."""


colspecs: dict[type, type] = {
    sqltypes.DateTime: _SQLiteDateTime,
    sqltypes.Date: _SQLiteDate,
    sqltypes.Time: _SQLiteTime,
    sqltypes.Numeric: _SQLiteNumeric,
    sqltypes.Float: _SQLiteFloat,
    sqltypes.Boolean: _SQLiteBoolean,
    sqltypes.Uuid: _SQLiteUuid,
    sqltypes.JSON: _SQLiteJSON,
}


# ---------------------------------------------------------------------------------------
# compilers
# ---------------------------------------------------------------------------------------


class SQLiteIdentifierPreparer(IdentifierPreparer):
    """Quotes sqlite reserved words with double quotes."""

    reserved_words = RESERVED_WORDS


class SQLiteCompiler(OnConflictCompilerMixin, SQLCompiler):
    """sqlite statement rendering: no FOR UPDATE, CURRENT_TIMESTAMP for now(), upserts."""

    _returning_qualifies = False
    on_conflict_include_table = False

    def for_update_clause(self, select: Any, **kw: Any) -> str:
        """sqlite has no row locks: nothing is rendered."""
        return ""

    def visit_now_func(self, func: Any, **kw: Any) -> str:
        """``now()`` is ``CURRENT_TIMESTAMP`` on sqlite."""
        return "CURRENT_TIMESTAMP"

    def visit_char_length_func(self, func: Any, **kw: Any) -> str:
        """``char_length(x)`` is ``length(x)`` on sqlite."""
        return "length" + "(" + func.clause_expr._compiler_dispatch(self, **kw) + ")"  # type: ignore[no-any-return]

    def visit_next_value(self, nv: Any, **kw: Any) -> str:
        """sqlite has no sequences."""
        raise exc.CompileError("sqlite does not support sequences (Sequence.next_value())")

    def get_select_precolumns(self, select: Any, **kw: Any) -> str:
        """DISTINCT (DISTINCT ON is not available and is ignored, as elsewhere)."""
        return "DISTINCT " if select._distinct else ""

    def visit_excluded_column(self, col: Any, **kw: Any) -> str:
        """``excluded.name`` inside ON CONFLICT DO UPDATE."""
        return "excluded." + self.preparer.format_column(col)


class SQLiteDDLCompiler(DDLCompiler):
    """sqlite DDL: INTEGER rowid keys, AUTOINCREMENT, no ALTER for constraints."""

    include_index_schema = True

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """Integer autoincrement keys render as ``INTEGER`` so they alias the rowid."""
        table = column.table
        is_rowid_key = table is not None and table._autoincrement_column is column
        type_text = self.type_compiler.process(_column_type(column), type_expression=column)
        if is_rowid_key:
            type_text = "INTEGER"
        colspec = self.preparer.format_column(column) + " " + type_text
        default = self.get_column_default_string(column)
        if default is not None:
            if not re.match(r"^\s*[\'\"\(]", default) and re.match(r".*\W.*", default):
                colspec += f" DEFAULT ({default})"
            else:
                colspec += f" DEFAULT {default}"
        if column.computed is not None:
            colspec += " " + self.visit_computed_column(column.computed)
        if not column.nullable:
            colspec += " NOT NULL"
        if (
            is_rowid_key
            and table.dialect_kwargs.get("sqlite_autoincrement")
            and len(table.primary_key.columns) == 1
        ):
            colspec += " PRIMARY KEY AUTOINCREMENT"
        return colspec  # type: ignore[no-any-return]

    def visit_primary_key_constraint(self, constraint: Any, **kw: Any) -> str:
        """Omitted when the column already says ``PRIMARY KEY AUTOINCREMENT``."""
        table = constraint.table
        if (
            table is not None
            and table.dialect_kwargs.get("sqlite_autoincrement")
            and table._autoincrement_column is not None
            and len(constraint.columns) == 1
        ):
            return ""
        return super().visit_primary_key_constraint(constraint)

    def visit_foreign_key_constraint(self, constraint: Any, **kw: Any) -> str:
        """Foreign keys to tables in another schema can't be declared on sqlite."""
        local = constraint.table
        remote = constraint.elements[0].column.table
        if local is not None and local.schema != remote.schema:
            return ""
        return super().visit_foreign_key_constraint(constraint)

    def visit_create_index(self, create: Any, **kw: Any) -> str:
        """sqlite puts the schema on the index name only: ``CREATE INDEX s.ix ON t (..)``."""
        text = super().visit_create_index(create, **kw)
        table = create.element.table
        if table is not None and table.schema:
            qualified = self.preparer.format_table(table)
            text = text.replace(
                " ON " + qualified + " ",
                " ON " + self.preparer.format_table(table, use_schema=False) + " ",
                1,
            )
        return text

    def post_create_table(self, table: Any) -> str:
        """``WITHOUT ROWID`` / ``STRICT`` table options."""
        opts = []
        if table.dialect_kwargs.get("sqlite_with_rowid") is False:
            opts.append("WITHOUT ROWID")
        if table.dialect_kwargs.get("sqlite_strict"):
            opts.append("STRICT")
        return (" " + ", ".join(opts)) if opts else ""


class SQLiteTypeCompiler(GenericTypeCompiler):
    """sqlite type names: generic names, CHAR(32) for UUID, DATETIME/DATE/TIME as text."""

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        """``BLOB``."""
        return "BLOB"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        """``CHAR(32)`` (hex storage)."""
        return "CHAR(32)"


# ---------------------------------------------------------------------------------------
# the dialect's compile-side data
# ---------------------------------------------------------------------------------------


class SQLiteDialect:
    """Compile-side data of the sqlite dialect (the driver class adds the DBAPI glue)."""

    name = "sqlite"
    statement_compiler: ClassVar[type[SQLCompiler]] = SQLiteCompiler
    ddl_compiler: ClassVar[type[DDLCompiler]] = SQLiteDDLCompiler
    type_compiler_cls: ClassVar[type[GenericTypeCompiler]] = SQLiteTypeCompiler
    preparer: ClassVar[type[IdentifierPreparer]] = SQLiteIdentifierPreparer
    colspecs: ClassVar[dict[type, type]] = colspecs
    supports_returning = sqlite3.sqlite_version_info >= (3, 35)
    insert_returning = supports_returning
    update_returning = supports_returning
    delete_returning = supports_returning
    insert_executemany_returning = False
    update_executemany_returning = False
    supports_multivalues_insert = True
    supports_default_values = True
    supports_empty_insert = False
    supports_native_boolean = False
    supports_native_decimal = False
    supports_native_uuid = False
    supports_native_enum = False
    supports_sequences = False
    sequences_optional = False
    supports_identity_columns = False
    supports_alter = False
    supports_comments = False
    supports_savepoints = True
    supports_two_phase = False
    postfetch_lastrowid = True
    implicit_returning = False
    default_schema_name = "main"
    max_identifier_length = 9999
    paramstyle = "qmark"
    positional = True

    def _sqlite_has_table_sql(self, name: str, schema: str | None = None) -> str:
        """The PRAGMA used to test for a table (drivers may use it for ``has_table``)."""
        qschema = self.identifier_preparer.quote(schema) + "." if schema else ""  # type: ignore[attr-defined]
        return f"PRAGMA {qschema}table_info({self.identifier_preparer.quote(name)})"  # type: ignore[attr-defined]
