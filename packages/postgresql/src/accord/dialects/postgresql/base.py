"""The compile side of the PostgreSQL dialect: compilers, reserved words, type names, flags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.sql import operators
from accord.sql.compiler import IdentifierPreparer, SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler
from accord.sql.on_conflict import OnConflictCompilerMixin

from .types import colspecs

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "ISOLATION_LEVELS",
    "PGCompiler",
    "PGDDLCompiler",
    "PGDialect",
    "PGIdentifierPreparer",
    "PGTypeCompiler",
    "RESERVED_WORDS",
]

# Keywords PostgreSQL reserves outright or allows only as function/type names
# (the "reserved" entries of the SQL Key Words appendix): an identifier spelled like
# one of these must be quoted.
_RESERVED_TEXT = """all analyse analyze and any array as asc asymmetric authorization binary
    both case
    cast check collate collation column concurrently constraint create cross
    current_catalog current_date current_role current_schema current_time
    current_timestamp current_user default deferrable desc distinct do else end except
    false fetch for foreign freeze from full grant group having ilike in initially inner
    intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps
    placing primary references returning right select session_user similar some
    symmetric system_user table tablesample then to trailing true union unique user
    using variadic verbose when where window with"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())

ISOLATION_LEVELS = frozenset(
    {"READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ", "SERIALIZABLE", "AUTOCOMMIT"}
)
"""The names ``isolation_level=`` accepts (``AUTOCOMMIT`` is the driver's autocommit)."""


class PGIdentifierPreparer(IdentifierPreparer):
    """Double-quotes PostgreSQL reserved words, mixed-case and unusual names."""

    reserved_words = RESERVED_WORDS


# psycopg sends a Python int with the smallest integer type that holds it (int2 for
# small values), which leaves calls of overloaded functions such as generate_series()
# ambiguous; an explicit cast from the bind's declared type settles it.
_BIND_CASTS = {
    "integer": "::INTEGER",
    "small_integer": "::SMALLINT",
    "big_integer": "::BIGINT",
}


class PGCompiler(OnConflictCompilerMixin, SQLCompiler):
    """PostgreSQL statement rendering: ILIKE, OFFSET alone, row-lock modes, ON CONFLICT."""

    def visit_bindparam(self, bp: Any, literal_binds: bool = False, **kw: Any) -> str:
        """A placeholder, cast to its integer type where psycopg's guess could mislead."""
        text = super().visit_bindparam(bp, literal_binds=literal_binds, **kw)
        if literal_binds or self.literal_binds:
            return text
        cast = _BIND_CASTS.get(getattr(bp.type, "__visit_name__", ""))
        if cast is not None and _fits_int4(bp):
            return text + cast
        if cast is not None:
            return text + "::BIGINT"
        return text

    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """Native ``a ILIKE b``."""
        return self._native_ilike(binary, " ILIKE ", **kw)

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """Native ``a NOT ILIKE b``."""
        return self._native_ilike(binary, " NOT ILIKE ", **kw)

    def _native_ilike(self, binary: Any, op: str, **kw: Any) -> str:
        left, right = self.process(binary.left, **kw), self.process(binary.right, **kw)
        return left + op + right + self.escape_clause(binary)

    def visit_empty_set_op_expr(self, binary: Any, op: Any, **kw: Any) -> str:
        """An empty IN list: ``false`` (``true`` for NOT IN), PostgreSQL has booleans."""
        return "false" if op is operators.in_op else "true"

    def limit_clause(self, select: Any, **kw: Any) -> str:
        """``LIMIT n`` and ``OFFSET m``, each only when given (no ``LIMIT -1`` here)."""
        text = ""
        limit, offset = select.limit_expression, select.offset_expression
        if limit is not None:
            text += " \n LIMIT " + self.process(limit, **kw)
        if offset is not None:
            text += " OFFSET " + self.process(offset, **kw)
        return text

    def for_update_mode(self, options: Mapping[str, Any]) -> str:
        """``[NO KEY] UPDATE`` or ``[KEY] SHARE`` (``key_share=True`` picks the weaker lock)."""
        if options.get("read"):
            return "KEY SHARE" if options.get("key_share") else "SHARE"
        return "NO KEY UPDATE" if options.get("key_share") else "UPDATE"

    def for_update_of(self, targets: Sequence[Any], **kw: Any) -> str:
        """``OF`` names: a relation by its alias when it has one, each once."""
        names: list[str] = []
        for item in targets:
            target = getattr(item, "table", None)
            if target is None:
                target = item
            name = self._lock_target_name(target, **kw)
            if name not in names:
                names.append(name)
        return ", ".join(names)

    def _lock_target_name(self, target: Any, **kw: Any) -> str:
        # PostgreSQL names a locked relation by its alias when it has one (OF alias).
        if getattr(target, "named_with_column", False) and hasattr(target, "element"):
            return self.process(target, asfrom=False, **kw)
        return self.preparer.quote(target.name)

    def visit_now_func(self, func: Any, **kw: Any) -> str:
        """``now()``."""
        return "now()"

    def visit_char_length_func(self, func: Any, **kw: Any) -> str:
        """``char_length(x)``."""
        return "char_length(" + self.process(func.clause_expr, **kw) + ")"

    def visit_next_value(self, nv: Any, **kw: Any) -> str:
        """``nextval('schema.name')``: the sequence name as a quoted regclass literal."""
        name = self.preparer.format_sequence(nv.sequence)
        return "nextval('" + name.replace("'", "''") + "')"


def _fits_int4(bp: Any) -> bool:
    # A literal too large for INTEGER (typed Integer only because it is an int) needs BIGINT.
    value = bp.value
    return not (isinstance(value, int) and not -(2**31) <= value < 2**31)


class PGDDLCompiler(DDLCompiler):
    """PostgreSQL DDL: SERIAL for autoincrement keys, IDENTITY, sequences, STORED columns."""

    include_index_schema = False

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """``name TYPE [DEFAULT x] [GENERATED ...] [NOT NULL]`` with SERIAL where it applies."""
        table = column.table
        autoinc: Any = getattr(table, "autoincrement_column", None) if table is not None else None
        default = column.default
        uses_sequence = default is not None and getattr(default, "is_sequence", False)
        type_impl = column.type
        serial = (
            column is autoinc
            and column.identity is None
            and column.server_default is None
            and column.computed is None
            and (not uses_sequence or getattr(default, "optional", False))
        )
        if serial:
            type_text = self._serial_name(type_impl)
        else:
            type_text = self.type_compiler.process(type_impl, type_expression=column)
        colspec = self.preparer.format_column(column) + " " + type_text
        server_default = self.get_column_default_string(column)
        if server_default is not None and column.identity is None:
            colspec += " DEFAULT " + server_default
        if column.computed is not None:
            colspec += " " + self.visit_computed_column(column.computed)
        if column.identity is not None:
            colspec += " " + self.visit_identity_column(column.identity)
        elif not column.nullable:
            colspec += " NOT NULL"
        return colspec

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        """``DROP INDEX [IF EXISTS] schema.name`` (an index lives in its table's schema)."""
        index = drop.element
        name = self.preparer.format_index(index)
        schema = getattr(index.table, "schema", None)
        if schema:
            name = self.preparer.quote_schema(schema) + "." + name
        return "\nDROP INDEX " + ("IF EXISTS " if drop.if_exists else "") + name

    @staticmethod
    def _serial_name(type_: Any) -> str:
        visit = getattr(type_, "__visit_name__", "")
        if visit in ("big_integer", "BIGINT"):
            return "BIGSERIAL"
        if visit in ("small_integer", "SMALLINT"):
            return "SMALLSERIAL"
        return "SERIAL"

    def visit_computed_column(self, generated: Any, **kw: Any) -> str:
        """``GENERATED ALWAYS AS (expr) STORED`` (PostgreSQL has no virtual columns)."""
        if generated.persisted is False:
            raise exc.CompileError(
                "PostgreSQL computed columns are always stored; Computed(persisted=False) "
                "can't be rendered"
            )
        return "GENERATED ALWAYS AS (" + self.sql_expression(generated.sqltext) + ") STORED"


class PGTypeCompiler(GenericTypeCompiler):
    """PostgreSQL type names; FLOAT, JSON and Enum (VARCHAR(n), no CREATE TYPE) are generic."""

    def visit_DOUBLE_PRECISION(self, type_: Any, **kw: Any) -> str:
        """``DOUBLE PRECISION``."""
        return "DOUBLE PRECISION"

    def visit_REAL(self, type_: Any, **kw: Any) -> str:
        """``REAL``."""
        return "REAL"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP WITH[OUT] TIME ZONE``."""
        return self._timestamp(type_)

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP[(p)] WITH[OUT] TIME ZONE``."""
        return self._timestamp(type_)

    def visit_TIMESTAMPTZ(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP[(p)] WITH TIME ZONE``."""
        return self._timestamp(type_)

    @staticmethod
    def _timestamp(type_: Any) -> str:
        precision = getattr(type_, "precision", None)
        text = "TIMESTAMP" if precision is None else f"TIMESTAMP({int(precision)})"
        return text + (" WITH TIME ZONE" if type_.timezone else " WITHOUT TIME ZONE")

    def visit_time(self, type_: Any, **kw: Any) -> str:
        """``TIME WITH[OUT] TIME ZONE``."""
        return "TIME" + (" WITH TIME ZONE" if type_.timezone else " WITHOUT TIME ZONE")

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        """``BYTEA``."""
        return "BYTEA"

    def visit_BYTEA(self, type_: Any, **kw: Any) -> str:
        """``BYTEA``."""
        return "BYTEA"

    def visit_jsonb(self, type_: Any, **kw: Any) -> str:
        """``JSONB``."""
        return "JSONB"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        """``UUID`` (``CHAR(32)`` only for ``Uuid(native_uuid=False)``)."""
        return "UUID" if getattr(type_, "native_uuid", True) else "CHAR(32)"


class PGDialect:
    """Compile-side data of the PostgreSQL dialect (the driver class adds the DBAPI glue)."""

    name = "postgresql"
    statement_compiler: ClassVar[type[SQLCompiler]] = PGCompiler
    ddl_compiler: ClassVar[type[DDLCompiler]] = PGDDLCompiler
    type_compiler_cls: ClassVar[type[GenericTypeCompiler]] = PGTypeCompiler
    preparer: ClassVar[type[IdentifierPreparer]] = PGIdentifierPreparer
    colspecs: ClassVar[dict[type, type]] = colspecs
    supports_returning = True
    insert_returning = True
    update_returning = True
    delete_returning = True
    insert_executemany_returning = True
    update_executemany_returning = True
    delete_executemany_returning = True
    supports_multivalues_insert = True
    supports_default_values = True
    supports_empty_insert = False
    supports_native_boolean = True
    supports_native_decimal = True
    supports_native_uuid = True
    supports_native_enum = False
    supports_sequences = True
    sequences_optional = True
    supports_identity_columns = True
    supports_alter = True
    supports_comments = False
    supports_savepoints = True
    supports_two_phase = True
    supports_server_side_cursors = True
    # A single-row INSERT fetches its generated key with RETURNING; there is no lastrowid.
    postfetch_lastrowid = False
    implicit_returning = True
    default_schema_name: str | None = "public"
    max_identifier_length = 63
    isolation_levels: ClassVar[frozenset[str]] = ISOLATION_LEVELS
