"""The compile side of the MySQL / MariaDB dialect: compilers, quoting, flags, server facts."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from accord import exc
from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.compiler import IdentifierPreparer, SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler
from accord.sql.schema import CheckConstraint, ForeignKeyConstraint, UniqueConstraint

from .types import colspecs

__all__ = [
    "MySQLCompiler",
    "MySQLDDLCompiler",
    "MySQLDialect",
    "MySQLIdentifierPreparer",
    "MySQLTypeCompiler",
    "RESERVED_WORDS",
    "parse_server_version",
]

_RESERVED_TEXT = """
    accessible add all alter analyze and as asc asensitive before between bigint binary
    blob both by call cascade case change char character check collate column condition
    constraint continue convert create cross cube cume_dist current_date current_role
    current_time current_timestamp current_user cursor database databases day_hour
    day_microsecond day_minute day_second dec decimal declare default delayed delete
    dense_rank desc describe deterministic distinct distinctrow div double drop dual each
    else elseif empty enclosed escaped except exists exit explain false fetch first_value
    float float4 float8 for force foreign from fulltext function generated get grant group
    grouping groups having high_priority hour_microsecond hour_minute hour_second if ignore
    in index infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer
    intersect interval into io_after_gtids io_before_gtids is iterate join json_table key
    keys kill lag last_value lateral lead leading leave left like limit linear lines load
    localtime localtimestamp lock long longblob longtext loop low_priority
    master_bind master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext
    middleint minute_microsecond minute_second mod modifies natural not no_write_to_binlog
    nth_value ntile null numeric of offset on optimize optimizer_costs option optionally or
    order out outer outfile over partition percent_rank precision primary procedure purge
    range rank read reads read_write real recursive references regexp release rename repeat
    replace require resignal restrict return returning revoke right rlike row row_number
    rows schema schemas second_microsecond select sensitive separator set show signal
    smallint spatial specific sql sqlexception sqlstate sqlwarning sql_big_result
    sql_calc_found_rows sql_small_result ssl starting stored straight_join system table
    terminated then tinyblob tinyint tinytext to trailing trigger true undo union unique
    unlock unsigned update usage use using utc_date utc_time utc_timestamp values varbinary
    varchar varcharacter varying virtual when where while window with write xor year_month
    zerofill"""

RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())
"""Words MySQL 8 and MariaDB 10.x reserve; identifiers spelled like them are backquoted."""

# MySQL's LIMIT has no "all rows" keyword: the largest unsigned 64-bit number stands in.
_NO_LIMIT = "18446744073709551615"

_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def parse_server_version(text: str) -> tuple[tuple[int, ...], bool]:
    """``(version tuple, is_mariadb)`` from a server version string.

    MariaDB may announce itself as ``5.5.5-10.11.6-MariaDB-...`` to old clients; the
    ``5.5.5-`` prefix is dropped so the real version is reported.
    """
    is_mariadb = "mariadb" in text.lower()
    if is_mariadb and text.startswith("5.5.5-"):
        text = text[len("5.5.5-") :]
    m = _VERSION_RE.search(text)
    if m is None:
        return (), is_mariadb
    return tuple(int(p) for p in m.groups() if p is not None), is_mariadb


# ---------------------------------------------------------------------------------------
# quoting
# ---------------------------------------------------------------------------------------


class MySQLIdentifierPreparer(IdentifierPreparer):
    """Backquotes reserved words, mixed-case names and names with unusual characters."""

    reserved_words = RESERVED_WORDS

    def __init__(self, dialect: Any, **kw: Any) -> None:
        super().__init__(dialect, initial_quote="`", escape_quote="`", **kw)


# ---------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------


class MySQLCompiler(SQLCompiler):
    """MySQL statement rendering: LIMIT forms, locking, concat(), ON DUPLICATE KEY UPDATE."""

    _LIKE_FORMS: ClassVar[dict[Any, tuple[bool, bool, bool]]] = {
        # operator: (negated, '%' before, '%' after)
        operators.startswith_op: (False, False, True),
        operators.not_startswith_op: (True, False, True),
        operators.endswith_op: (False, True, False),
        operators.not_endswith_op: (True, True, False),
        operators.contains_op: (False, True, True),
        operators.not_contains_op: (True, True, True),
    }

    def visit_binary(self, binary: Any, **kw: Any) -> str:
        """``||`` is logical OR on MySQL: string concatenation is spelled ``concat()``."""
        op = binary.operator
        if op is operators.concat_op:
            return (
                "concat(" + self.process(binary.left, **kw) + ", "
                + self.process(binary.right, **kw) + ")"
            )  # fmt: skip
        form = self._LIKE_FORMS.get(op)
        if form is not None:
            return self._mysql_like(binary, form, **kw)
        if op in (operators.is_, operators.is_not):
            # ``x IS 0`` does not parse: IS takes the keywords true / false
            word = {"True_": "true", "False_": "false"}.get(type(binary.right).__name__)
            if word is not None:
                neg = " IS NOT " if op is operators.is_not else " IS "
                return self.process(binary.left, **kw) + neg + word
        return super().visit_binary(binary, **kw)

    def _mysql_like(self, binary: Any, form: tuple[bool, bool, bool], **kw: Any) -> str:
        negated, before, after = form
        parts = []
        if before:
            parts.append("'%'")
        parts.append(self.process(binary.right, **kw))
        if after:
            parts.append("'%'")
        text = (
            self.process(binary.left, **kw)
            + (" NOT LIKE " if negated else " LIKE ")
            + "concat(" + ", ".join(parts) + ")"
        )  # fmt: skip
        escape = binary.modifiers.get("escape")
        if escape is not None:
            text += " ESCAPE " + self.render_literal_value(escape, sqltypes.String())
        return text

    def render_literal_value(self, value: Any, type_: Any) -> str:
        """Like the generic form, but backslashes are escaped (they escape in MySQL strings)."""
        text = super().render_literal_value(value, type_)
        if isinstance(value, str) and "\\" in text:
            text = text.replace("\\", "\\\\")
        return text

    def limit_clause(self, select: Any, **kw: Any) -> str:
        """``LIMIT n OFFSET m``; an OFFSET alone needs a LIMIT, so the largest is used."""
        limit, offset = select.limit_expression, select.offset_expression
        text = "\n LIMIT "
        text += _NO_LIMIT if limit is None else self.process(limit, **kw)
        if offset is not None:
            text += " OFFSET " + self.process(offset, **kw)
        return text

    def for_update_clause(self, select: Any, **kw: Any) -> str:
        """``FOR UPDATE [NOWAIT | SKIP LOCKED]``; shared locks as MariaDB and MySQL 5.7 say."""
        arg = select.for_update_options or {}
        dialect = self.dialect
        modern_share = not dialect.is_mariadb and (dialect.server_version_info or (8,)) >= (8,)
        if arg.get("read") and not modern_share:
            return " LOCK IN SHARE MODE"
        text = " FOR SHARE" if arg.get("read") else " FOR UPDATE"
        if arg.get("of") and not dialect.is_mariadb:
            text += " OF " + ", ".join(
                self.preparer.format_table(getattr(o, "table", o)) for o in arg["of"]
            )
        if arg.get("nowait"):
            text += " NOWAIT"
        if arg.get("skip_locked"):
            text += " SKIP LOCKED"
        return text

    def default_values_clause(self, table: Any) -> str:
        """MySQL has no ``DEFAULT VALUES``: an empty column list and row mean the same."""
        return " () VALUES ()"

    def visit_cast(self, cast: Any, **kw: Any) -> str:
        """``CAST(x AS t)`` with one of the few target names MySQL accepts."""
        target = _cast_target(cast.typeclause, self.dialect)
        return "CAST(" + self.process(cast.clause, **kw) + " AS " + target + ")"

    def visit_next_value(self, nv: Any, **kw: Any) -> str:
        """``nextval(seq)`` on MariaDB; MySQL has no sequences."""
        if not self.dialect.supports_sequences:
            raise exc.CompileError(
                "MySQL does not support sequences (Sequence.next_value()); MariaDB 10.3+ does"
            )
        return "nextval(" + self.preparer.format_sequence(nv.sequence) + ")"

    def visit_on_duplicate_key_update(self, clause: Any, **kw: Any) -> str:
        """`` ON DUPLICATE KEY UPDATE col = value, ...``."""
        table = self.statement.table
        sets = []
        for col, value in clause.update:
            target = table.c[col] if isinstance(col, str) else col
            rendered = self.process(value.self_group(), include_table=False, **kw)
            sets.append(self.preparer.format_column(target) + " = " + rendered)
        return " ON DUPLICATE KEY UPDATE " + ", ".join(sets)

    def visit_mysql_inserted_column(self, element: Any, **kw: Any) -> str:
        """``VALUES(col)``: the value the row would have had; MariaDB and MySQL accept it."""
        return "VALUES(" + self.preparer.format_column(element.column) + ")"


def _cast_target(type_: Any, dialect: Any) -> str:
    if isinstance(type_, sqltypes.TypeDecorator):
        type_ = type_.impl
    if isinstance(type_, sqltypes.Boolean):
        return "SIGNED"
    if isinstance(type_, sqltypes.Integer):
        return "SIGNED"
    if isinstance(type_, sqltypes.Float):
        return "DOUBLE"
    if isinstance(type_, sqltypes.Numeric):
        if type_.precision is None:
            return "DECIMAL"
        if type_.scale is None:
            return f"DECIMAL({type_.precision})"
        return f"DECIMAL({type_.precision}, {type_.scale})"
    if isinstance(type_, sqltypes.DateTime):
        return "DATETIME(6)"
    if isinstance(type_, sqltypes.Date):
        return "DATE"
    if isinstance(type_, sqltypes.Time):
        return "TIME(6)"
    if isinstance(type_, sqltypes.LargeBinary):
        return "BINARY"
    if isinstance(type_, sqltypes.JSON) and not dialect.is_mariadb:
        return "JSON"
    if isinstance(type_, sqltypes.String) and type_.length:
        return f"CHAR({type_.length})"
    return "CHAR"


# ---------------------------------------------------------------------------------------
# DDL
# ---------------------------------------------------------------------------------------


class MySQLDDLCompiler(DDLCompiler):
    """MySQL DDL: AUTO_INCREMENT keys, table options (ENGINE=InnoDB), MySQL's DROP forms."""

    include_index_schema = False

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """``name TYPE [GENERATED ...] [NOT NULL] [DEFAULT x] [AUTO_INCREMENT]``."""
        type_text = self.type_compiler.process(column.type, type_expression=column)
        colspec: str = self.preparer.format_column(column) + " " + type_text
        if column.computed is not None:
            colspec += " " + self.visit_computed_column(column.computed)
        if not column.nullable:
            colspec += " NOT NULL"
        default = self.get_column_default_string(column)
        if default is not None:
            colspec += " DEFAULT " + default
        table = column.table
        if (
            table is not None
            and table.autoincrement_column is column
            and column.server_default is None
            and column.computed is None
        ):
            colspec += " AUTO_INCREMENT"
        return colspec

    def render_default_string(self, default: str) -> str:
        """A string server default as a literal; backslashes escape in MySQL strings."""
        return "'" + default.replace("\\", "\\\\").replace("'", "''") + "'"

    def post_create_table(self, table: Any) -> str:
        """Table options: ``ENGINE=InnoDB`` unless ``mysql_engine`` says otherwise."""
        opts = _table_options(table)
        opts.setdefault("ENGINE", "InnoDB")
        return "".join(f" {key}={value}" for key, value in opts.items())

    def define_constraint_deferrability(self, constraint: Any) -> str:
        """Nothing: MySQL has no deferrable constraints."""
        return ""

    def define_constraint_match(self, constraint: Any) -> str:
        """Nothing: MySQL parses ``MATCH`` but ignores it, so it is left out."""
        return ""

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        """``DROP INDEX name ON table`` (MySQL names the table)."""
        index = drop.element
        text = "\nDROP INDEX "
        if drop.if_exists:
            text += "IF EXISTS "
        return (
            text + self.preparer.format_index(index) + " ON "
            + self.preparer.format_table(index.table)
        )  # fmt: skip

    def visit_drop_constraint(self, drop: Any, **kw: Any) -> str:
        """``ALTER TABLE t DROP FOREIGN KEY / INDEX / CHECK name`` by constraint kind."""
        con = drop.element
        name = self.preparer.format_constraint(con)
        if name is None:
            raise exc.CompileError("Can't emit DROP CONSTRAINT for a constraint without a name")
        table = self.preparer.format_table(con.table)
        if isinstance(con, ForeignKeyConstraint):
            what = "FOREIGN KEY " + name
        elif isinstance(con, UniqueConstraint):
            what = "INDEX " + name
        elif isinstance(con, CheckConstraint):
            what = ("CONSTRAINT " if self.dialect.is_mariadb else "CHECK ") + name
        else:
            what = "CONSTRAINT " + name
        return f"ALTER TABLE {table} DROP {what}"


_TABLE_OPTIONS = {
    "engine": "ENGINE",
    "charset": "DEFAULT CHARSET",
    "default_charset": "DEFAULT CHARSET",
    "collate": "COLLATE",
    "row_format": "ROW_FORMAT",
    "auto_increment": "AUTO_INCREMENT",
}


def _table_options(table: Any) -> dict[str, str]:
    opts: dict[str, str] = {}
    for key, value in getattr(table, "dialect_kwargs", {}).items():
        prefix, _, option = key.partition("_")
        if prefix not in ("mysql", "mariadb") or value is None:
            continue
        name = _TABLE_OPTIONS.get(option.lower())
        if name is None:
            raise exc.ArgumentError(f"Unknown MySQL table option {key!r}")
        text = str(value)
        if not re.fullmatch(r"[A-Za-z0-9_]+", text):
            raise exc.ArgumentError(f"Invalid value {value!r} for MySQL table option {key!r}")
        opts[name] = text
    return opts


# ---------------------------------------------------------------------------------------
# type names
# ---------------------------------------------------------------------------------------


def _column_name(kw: dict[str, Any]) -> str:
    column = kw.get("type_expression")
    name = getattr(column, "name", None)
    table = getattr(getattr(column, "table", None), "name", None)
    if name is None:
        return ""
    return f" (column {table}.{name})" if table else f" (column {name})"


class MySQLTypeCompiler(GenericTypeCompiler):
    """MySQL type names: DATETIME(6), BOOL, DOUBLE, CHAR(32) UUIDs, ENUM, sized BLOB/TEXT."""

    def visit_string(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR(n)``; MySQL refuses VARCHAR without a length, so we do too, early."""
        if not type_.length:
            raise exc.CompileError(
                f"VARCHAR requires a length on dialect mysql{_column_name(kw)}; "
                "use String(n) or Text"
            )
        return self._collate(f"VARCHAR({type_.length})", type_)

    def _collate(self, text: str, type_: Any) -> str:
        collation = getattr(type_, "collation", None)
        return text + (f" COLLATE {collation}" if collation else "")

    def visit_text(self, type_: Any, **kw: Any) -> str:
        """``TEXT``, or the smallest TEXT kind that holds ``length`` characters."""
        return self._collate(_sized("TEXT", type_.length), type_)

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        """``BLOB``, or the smallest BLOB kind that holds ``length`` bytes."""
        return _sized("BLOB", type_.length)

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        """``ENUM('a', 'b')`` (``VARCHAR(n)`` with ``native_enum=False``)."""
        if not type_.native_enum or not type_.enums:
            return f"VARCHAR({max(type_.length, 1)})"
        quoted = ", ".join(
            "'" + e.replace("\\", "\\\\").replace("'", "''") + "'" for e in type_.enums
        )
        return f"ENUM({quoted})"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        """``BOOL`` (MySQL's name for ``TINYINT(1)``)."""
        return "BOOL"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        """``DOUBLE`` (MySQL's FLOAT is single precision); ``FLOAT(p)`` when asked."""
        return f"FLOAT({type_.precision})" if type_.precision is not None else "DOUBLE"

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        """``NUMERIC(p, s)`` (a bare NUMERIC is DECIMAL(10, 0) on MySQL)."""
        return super().visit_numeric(type_, **kw)

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        """``DATETIME(6)``: microseconds kept (``mysql.DATETIME(fsp=0)`` for whole seconds)."""
        fsp = getattr(type_, "fsp", 6)
        return f"DATETIME({fsp})" if fsp else "DATETIME"

    def visit_timestamp(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP(fsp)``."""
        fsp = getattr(type_, "fsp", 6)
        return f"TIMESTAMP({fsp})" if fsp else "TIMESTAMP"

    def visit_time(self, type_: Any, **kw: Any) -> str:
        """``TIME(6)`` unless another ``fsp`` is given."""
        fsp = getattr(type_, "fsp", 6)
        return f"TIME({fsp})" if fsp else "TIME"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        """``CHAR(32)``: the UUID's hex digits."""
        return "CHAR(32)"

    def visit_tinyint(self, type_: Any, **kw: Any) -> str:
        """``TINYINT``."""
        return "TINYINT"

    def visit_mediumint(self, type_: Any, **kw: Any) -> str:
        """``MEDIUMINT``."""
        return "MEDIUMINT"

    def visit_double(self, type_: Any, **kw: Any) -> str:
        """``DOUBLE``."""
        return "DOUBLE"

    def visit_mediumtext(self, type_: Any, **kw: Any) -> str:
        """``MEDIUMTEXT``."""
        return self._collate("MEDIUMTEXT", type_)

    def visit_longtext(self, type_: Any, **kw: Any) -> str:
        """``LONGTEXT``."""
        return self._collate("LONGTEXT", type_)

    def visit_mediumblob(self, type_: Any, **kw: Any) -> str:
        """``MEDIUMBLOB``."""
        return "MEDIUMBLOB"

    def visit_longblob(self, type_: Any, **kw: Any) -> str:
        """``LONGBLOB``."""
        return "LONGBLOB"


def _sized(kind: str, length: int | None) -> str:
    if not length:
        return kind
    if length <= 255:
        return f"TINY{kind}"
    if length <= 65535:
        return f"{kind}({length})"
    if length <= 16777215:
        return f"MEDIUM{kind}"
    return f"LONG{kind}"


# ---------------------------------------------------------------------------------------
# the dialect's compile-side data
# ---------------------------------------------------------------------------------------


class MySQLDialect:
    """Compile-side data of the MySQL / MariaDB dialect (the driver class adds DBAPI glue).

    ``is_mariadb`` and ``server_version_info`` are learnt on the first connection; they
    can also be passed to the constructor to compile for a given server without one.
    """

    name = "mysql"
    statement_compiler: ClassVar[type[SQLCompiler]] = MySQLCompiler
    ddl_compiler: ClassVar[type[DDLCompiler]] = MySQLDDLCompiler
    type_compiler_cls: ClassVar[type[GenericTypeCompiler]] = MySQLTypeCompiler
    preparer: ClassVar[type[IdentifierPreparer]] = MySQLIdentifierPreparer
    colspecs: ClassVar[dict[type, type]] = colspecs
    is_mariadb = False
    server_version_info: tuple[Any, ...] | None = None
    supports_returning = False
    insert_returning = False
    update_returning = False
    delete_returning = False
    insert_executemany_returning = False
    # MariaDB (RETURNING since 10.5) hands out auto-increment values in row order within
    # one statement, whatever innodb_autoinc_lock_mode says about gaps between statements
    insert_multivalues_returning_ordered = True
    supports_multivalues_insert = True
    supports_default_values = False
    supports_empty_insert = True
    supports_native_boolean = False
    supports_native_decimal = True
    supports_native_uuid = False
    supports_native_enum = True
    supports_sequences = False
    sequences_optional = True
    supports_identity_columns = False
    supports_alter = True
    supports_comments = False
    supports_savepoints = True
    supports_two_phase = True
    postfetch_lastrowid = True
    # lastrowid gives the new key without a round trip; RETURNING only when asked for.
    implicit_returning = False
    max_identifier_length = 64
    paramstyle = "pyformat"
    positional = False

    def _set_server_facts(self, version: tuple[int, ...], is_mariadb: bool) -> None:
        """Record the server's version and kind, and the features that follow from them."""
        self.server_version_info = version
        self.is_mariadb = is_mariadb
        # MariaDB 10.5 added INSERT/DELETE ... RETURNING; no MySQL has it, nor UPDATE.
        returning = is_mariadb and version >= (10, 5)
        self.supports_returning = returning
        self.insert_returning = returning
        self.delete_returning = returning
        self.update_returning = False
        self.supports_sequences = is_mariadb and version >= (10, 3)
