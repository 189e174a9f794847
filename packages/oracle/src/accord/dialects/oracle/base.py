"""The compile side of the Oracle dialect: compilers, reserved words, type names, flags."""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.sql import BinaryExpression, Boolean, TypeDecorator, operators
from accord.sql.compiler import IdentifierPreparer, SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler

from .types import colspecs

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "ISOLATION_LEVELS",
    "OracleCompiler",
    "OracleDDLCompiler",
    "OracleDialect",
    "OracleIdentifierPreparer",
    "OracleTypeCompiler",
    "RESERVED_WORDS",
]

# Oracle's reserved words (the SQL Language Reference list): an unquoted identifier or a
# bind variable may not be spelled like one of these.
_RESERVED_TEXT = """access add all alter and any as asc audit between by char check cluster
    column comment compress connect create current date decimal default delete desc
    distinct drop else exclusive exists file float for from grant group having identified
    immediate in increment index initial insert integer intersect into is level like lock
    long maxextents minus mlslabel mode modify noaudit nocompress not nowait null number of
    offline on online option or order pctfree prior public raw rename resource revoke row
    rowid rownum rows select session set share size smallint start successful synonym
    sysdate table then to trigger uid union unique update user validate values varchar
    varchar2 view whenever where with"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())

ISOLATION_LEVELS = frozenset({"READ COMMITTED", "SERIALIZABLE", "AUTOCOMMIT"})
"""The names ``isolation_level=`` accepts (``AUTOCOMMIT`` is the driver's autocommit)."""

_BIND_MARK = re.compile("\x00([^\x00]+)\x00")
_LEGAL_BIND = re.compile(r"^[A-Za-z][A-Za-z0-9_$#]*$")


class OracleIdentifierPreparer(IdentifierPreparer):
    """Quotes reserved words, names with upper-case letters and names not starting a letter.

    Oracle folds unquoted names to upper case, so a lower-case name is written unquoted
    (and matches in any case), while ``"MixedCase"`` and ``"UPPER"`` are quoted and
    case-sensitive, as in the other accord dialects.
    """

    reserved_words = RESERVED_WORDS
    illegal_initial_characters = frozenset("0123456789$_#")


class OracleCompiler(SQLCompiler):
    """Oracle statement rendering: named binds, FETCH FIRST, RETURNING INTO, FROM DUAL."""

    alias_keyword = " "  # Oracle rejects AS before a table alias

    returning_binds: list[tuple[str, Any]] | None = None
    """``(out bind name, column type)`` for each ``RETURNING ... INTO`` target."""

    oracle_input_sizes: dict[str, Any] | None = None
    """Driver input sizes per bind name, filled in by the driver glue on first execution."""

    bind_renames: dict[str, str] | None = None
    """Bind names Oracle cannot take (reserved words, leading digit or ``_``) -> SQL name."""

    # -- bind names -------------------------------------------------------------------

    def finalize(self, raw: str) -> str:
        """Rename binds Oracle would reject, then make placeholders (``:name``)."""
        renames: dict[str, str] = {}
        taken = set(self.binds)

        def rename(m: re.Match[str]) -> str:
            name = m.group(1)
            new = renames.get(name)
            if new is None:
                new = _oracle_bind_name(name, taken)
                if new != name:
                    renames[name] = new
                    taken.add(new)
            return "\x00" + new + "\x00"

        raw = _BIND_MARK.sub(rename, raw)
        if renames:
            self.bind_renames = renames
        return super().finalize(raw)

    @property
    def escaped_bind_names(self) -> dict[str, str]:
        """Bind names changed for the SQL text."""
        return {**super().escaped_bind_names, **(self.bind_renames or {})}

    def construct_params(  # type: ignore[override]
        self,
        params: Mapping[str, Any] | None = None,
        extracted_parameters: Sequence[Any] | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """Bind values keyed by the names written in the SQL text."""
        pd = super().construct_params(params, extracted_parameters, **kw)
        renames = self.bind_renames
        if renames:
            return {renames.get(k, k): v for k, v in pd.items()}
        return pd

    # -- expressions ------------------------------------------------------------------

    def visit_binary(self, binary: Any, **kw: Any) -> str:
        """``MOD(a, b)`` for ``%``; a comparison in a select list becomes ``CASE``."""
        as_value = kw.pop("within_columns_clause", False)
        if binary.operator is operators.mod:
            return (
                "MOD("
                + self.process(binary.left, **kw)
                + ", "
                + self.process(binary.right, **kw)
                + ")"
            )
        flag = _IS_FLAG.get(getattr(binary.right, "__visit_name__", ""))
        if flag is not None and binary.operator in (operators.is_, operators.is_not):
            # ``x IS TRUE`` does not parse before 23ai: booleans are stored as 0/1, so
            # the test is a comparison with the stored number.
            op = " = " if binary.operator is operators.is_ else " <> "
            text = self.process(binary.left, **kw) + op + flag
        else:
            text = super().visit_binary(binary, **kw)
        if as_value and operators.is_comparison(binary.operator):
            return _as_number(text)
        return text

    def visit_unary(self, unary: Any, **kw: Any) -> str:
        """``NOT x`` in a select list becomes ``CASE``."""
        as_value = kw.pop("within_columns_clause", False)
        if as_value and unary.operator is operators.inv:
            return _as_number(self.render_condition(unary, **kw))
        return super().visit_unary(unary, **kw)

    def render_condition(self, element: Any, **kw: Any) -> str:
        """A condition: a bare boolean value ``x`` becomes ``x = 1`` (``NOT x``: ``x = 0``)."""
        # Oracle SQL before 23ai has no boolean values, so WHERE / ON / CASE WHEN / AND
        # take only predicates: a Boolean column (SMALLINT 0/1) must be compared.
        kind = getattr(element, "__visit_name__", None)
        if kind == "true":
            return "1 = 1"
        if kind == "false":
            return "1 = 0"
        if kind == "unary" and element.operator is operators.inv:
            if _is_boolean_value(element.element):
                return self._compare_flag(element.element, "0", **kw)
        elif _is_boolean_value(element):
            return self._compare_flag(element, "1", **kw)
        return super().render_condition(element, **kw)

    def _compare_flag(self, value: Any, flag: str, **kw: Any) -> str:
        text = self.process(value, **kw)
        # An operator expression (a custom op, unary minus) is parenthesised explicitly:
        # custom operators all bind tighter than ``=`` in accord's precedence table.
        if isinstance(value, BinaryExpression) or getattr(value, "__visit_name__", "") == "unary":
            text = "(" + text + ")"
        return text + " = " + flag

    def visit_boolean_clauselist(self, clauselist: Any, **kw: Any) -> str:
        """``a AND b`` in a select list becomes ``CASE``."""
        as_value = kw.pop("within_columns_clause", False)
        text = super().visit_boolean_clauselist(clauselist, **kw)
        return _as_number(text) if as_value and text else text

    def visit_exists(self, exists: Any, **kw: Any) -> str:
        """``EXISTS (...)`` in a select list becomes ``CASE``."""
        as_value = kw.pop("within_columns_clause", False)
        text = super().visit_exists(exists, **kw)
        return _as_number(text) if as_value else text

    # Containers render their parts as ordinary expressions: only a predicate standing
    # as a whole select-list item needs the CASE form.
    def visit_case(self, case: Any, **kw: Any) -> str:
        """``CASE ... END``."""
        kw.pop("within_columns_clause", None)
        return super().visit_case(case, **kw)

    def visit_function(self, func: Any, **kw: Any) -> str:
        """``name(args)``."""
        kw.pop("within_columns_clause", None)
        return super().visit_function(func, **kw)

    def visit_cast(self, cast: Any, **kw: Any) -> str:
        """``CAST(x AS type)``."""
        kw.pop("within_columns_clause", None)
        return super().visit_cast(cast, **kw)

    def visit_over(self, over: Any, **kw: Any) -> str:
        """``f(...) OVER (...)``."""
        kw.pop("within_columns_clause", None)
        return super().visit_over(over, **kw)

    def visit_grouping(self, grouping: Any, **kw: Any) -> str:
        """``(element)``; a grouped predicate in a select list still becomes ``CASE``."""
        return "(" + self.process(grouping.element, **kw) + ")"

    def visit_now_func(self, func: Any, **kw: Any) -> str:
        """``CURRENT_TIMESTAMP``."""
        return "CURRENT_TIMESTAMP"

    def visit_char_length_func(self, func: Any, **kw: Any) -> str:
        """``LENGTH(x)``."""
        return "LENGTH(" + self.process(func.clause_expr, **kw) + ")"

    def visit_random_func(self, func: Any, **kw: Any) -> str:
        """``DBMS_RANDOM.VALUE``."""
        return "DBMS_RANDOM.VALUE"

    def visit_next_value(self, nv: Any, **kw: Any) -> str:
        """``schema.seq.nextval``."""
        return self.preparer.format_sequence(nv.sequence) + ".nextval"

    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """``LOWER(a) LIKE LOWER(b)``."""
        return self._oracle_ilike(binary, " LIKE ", **kw)

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """``LOWER(a) NOT LIKE LOWER(b)``."""
        return self._oracle_ilike(binary, " NOT LIKE ", **kw)

    def _oracle_ilike(self, binary: Any, op: str, **kw: Any) -> str:
        kw.pop("within_columns_clause", None)
        left = "LOWER(" + self.process(binary.left, **kw) + ")"
        right = "LOWER(" + self.process(binary.right, **kw) + ")"
        return left + op + right + self.escape_clause(binary)

    # -- SELECT -----------------------------------------------------------------------

    def default_from(self) -> str:
        """``FROM DUAL`` for a SELECT without tables."""
        return " \nFROM DUAL"

    def limit_clause(self, select: Any, **kw: Any) -> str:
        """``OFFSET m ROWS`` and ``FETCH FIRST n ROWS ONLY`` (Oracle 12c and later)."""
        text = ""
        limit, offset = select.limit_expression, select.offset_expression
        if offset is not None:
            text += " \nOFFSET " + self.process(offset, **kw) + " ROWS"
        if limit is not None:
            text += " \nFETCH FIRST " + self.process(limit, **kw) + " ROWS ONLY"
        return text

    def for_update_mode(self, options: Mapping[str, Any]) -> str:
        """``UPDATE`` always: Oracle has no shared row lock (``read=True`` locks too)."""
        return "UPDATE"

    def for_update_of(self, targets: Sequence[Any], **kw: Any) -> str:
        """``OF`` names columns in Oracle: a table given stands for its primary key."""
        names: list[str] = []
        for target in targets:
            columns = [target] if getattr(target, "table", None) is not None else []
            if not columns:
                columns = list(getattr(target, "primary_key", ()) or ())[:1] or list(target.c)[:1]
            for col in columns:
                name = self.process(col, **kw)
                if name not in names:
                    names.append(name)
        return ", ".join(names)

    # -- DML --------------------------------------------------------------------------

    def default_values_clause(self, table: Any) -> str:
        """Oracle has no ``DEFAULT VALUES``: ``(first column) VALUES (DEFAULT)``."""
        first = next(iter(table.c), None)
        if first is None:
            raise exc.CompileError(f"Can't INSERT into table {table.name!r} without columns")
        return " (" + self.preparer.format_column(first) + ") VALUES (DEFAULT)"

    def visit_insert(self, stmt: Any, **kw: Any) -> str:
        """``INSERT ... [RETURNING cols INTO :out_1, ...]``."""
        text = super().visit_insert(stmt, **kw)
        # Oracle has no RETURNING for INSERT ... SELECT.
        if stmt.select is not None and self.returning:
            implicit = self.implicit_returning or []
            if len(implicit) != len(self.returning):
                raise exc.CompileError("Oracle does not support RETURNING with INSERT ... SELECT")
            # The generated key can't be fetched for a set of rows: leave it out.
            text = text.rpartition(" RETURNING ")[0]
            self.returning = self.effective_returning = self.implicit_returning = None
            return text
        return self._into(text)

    def visit_update(self, stmt: Any, **kw: Any) -> str:
        """``UPDATE ... [RETURNING cols INTO :out_1, ...]``."""
        return self._into(super().visit_update(stmt, **kw))

    def visit_delete(self, stmt: Any, **kw: Any) -> str:
        """``DELETE ... [RETURNING cols INTO :out_1, ...]``."""
        return self._into(super().visit_delete(stmt, **kw))

    def _into(self, text: str) -> str:
        # RETURNING in Oracle DML returns nothing to the cursor: each value goes to an out
        # bind, which the execution context creates and reads (see oracledb.py).
        returning = self.returning
        if not returning or self.stack:
            return text
        out: list[tuple[str, Any]] = []
        n = 0
        for col in returning:
            n += 1
            name = f"out_{n}"
            while name in self.binds:
                n += 1
                name = f"out_{n}"
            out.append((name, col.type))
        self.returning_binds = out
        return text + " INTO " + ", ".join(":" + name for name, _ in out)


# Elements that are predicates already; a Grouping, Label or type_coerce() is as its inside.
# ``IS true`` / ``IS false``: the number a stored boolean is compared with.
_IS_FLAG = {"true": "1", "false": "0"}

_PREDICATE_KINDS = frozenset({"boolean_clauselist", "exists", "true", "false"})
_WRAPPER_KINDS = {"grouping": "element", "label": "element", "type_coerce": "clause"}


def _is_boolean_value(element: Any) -> bool:
    # A boolean-typed *value* (column, function, CAST, bind, non-comparison operator), as
    # opposed to a predicate: only these need an explicit comparison in a condition.
    kind = getattr(element, "__visit_name__", None)
    inner = _WRAPPER_KINDS.get(kind or "")
    if inner is not None:
        return _is_boolean_value(getattr(element, inner))
    if kind in _PREDICATE_KINDS:
        return False
    if kind == "unary" and element.operator is operators.inv:
        return False
    if isinstance(element, BinaryExpression):
        op = element.operator
        if operators.is_comparison(op) or getattr(op, "is_comparison", False):
            return False
    type_ = getattr(element, "type", None)
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl
    return isinstance(type_, Boolean)


def _as_number(predicate: str) -> str:
    # Before 23ai Oracle SQL has no boolean values: a predicate is turned into 1/0.
    return "CASE WHEN " + predicate + " THEN 1 ELSE 0 END"


def _oracle_bind_name(name: str, taken: set[str]) -> str:
    # Oracle bind names are identifiers: no reserved word, must start with a letter.
    if _LEGAL_BIND.match(name) and name.lower() not in RESERVED_WORDS:
        return name
    base = re.sub(r"\W", "_", name).lstrip("_") or "p"
    if not base[0].isalpha():
        base = "p" + base
    candidate = base if base.lower() not in RESERVED_WORDS else base + "_"
    n = 0
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


class OracleDDLCompiler(DDLCompiler):
    """Oracle DDL: IDENTITY keys, virtual columns, sequences, no ON UPDATE for foreign keys."""

    include_index_schema = True

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """``name TYPE [DEFAULT x] [GENERATED ...] [NOT NULL] [CHECK (...)]`` for JSON/Boolean."""
        self._check_length(column.name, "column")
        table = column.table
        autoinc: Any = getattr(table, "autoincrement_column", None) if table is not None else None
        default = column.default
        uses_sequence = default is not None and getattr(default, "is_sequence", False)
        type_ = column.type
        colspec = (
            self.preparer.format_column(column)
            + " "
            + self.type_compiler.process(type_, type_expression=column)
        )
        server_default = self.get_column_default_string(column)
        if server_default is not None and column.identity is None:
            colspec += " DEFAULT " + server_default
        if column.computed is not None:
            colspec += " " + self.visit_computed_column(column.computed)
        if column.identity is not None:
            colspec += " " + self.visit_identity_column(column.identity)
        elif (
            column is autoinc
            and not uses_sequence
            and column.server_default is None
            and column.computed is None
        ):
            # An autoincrement integer key with nothing else generating it: IDENTITY.
            colspec += " GENERATED BY DEFAULT AS IDENTITY"
        elif not column.nullable:
            colspec += " NOT NULL"
        visit = getattr(type_, "__visit_name__", "")
        if visit == "json":
            colspec += " CHECK (" + self.preparer.format_column(column) + " IS JSON)"
        elif visit == "boolean" and getattr(type_, "create_constraint", False):
            colspec += " CHECK (" + self.preparer.format_column(column) + " IN (0, 1))"
        return str(colspec)

    def _check_length(self, name: str | None, kind: str) -> None:
        limit = getattr(self.dialect, "max_identifier_length", None)
        if name is not None and limit is not None and len(name) > limit:
            raise exc.CompileError(
                f"Identifier {name!r} ({kind}) is {len(name)} characters long; this Oracle "
                f"version allows at most {limit}"
            )

    def visit_create_table(self, create: Any, **kw: Any) -> str:
        """``CREATE TABLE``, checking the name against Oracle's identifier length."""
        self._check_length(create.element.name, "table")
        return super().visit_create_table(create, **kw)

    def visit_create_index(self, create: Any, **kw: Any) -> str:
        """``CREATE [UNIQUE] INDEX schema.name ON table (exprs)``."""
        self._check_length(create.element.name, "index")
        return super().visit_create_index(create, **kw)

    def define_constraint_name(self, constraint: Any) -> str:
        """``CONSTRAINT name `` with Oracle's identifier length checked."""
        self._check_length(constraint.name, "constraint")
        return super().define_constraint_name(constraint)

    def define_constraint_match(self, constraint: Any) -> str:
        """Oracle has no ``MATCH`` for foreign keys."""
        return ""

    def visit_foreign_key_constraint(self, constraint: Any, **kw: Any) -> str:
        """``FOREIGN KEY ... REFERENCES ...`` with ON DELETE CASCADE / SET NULL only.

        Oracle has no ``ON UPDATE`` action: ``onupdate=`` is left out with a warning.
        ``ON DELETE NO ACTION`` / ``RESTRICT`` are Oracle's behaviour without a clause.
        """
        remote = constraint.elements[0].column.table
        local_cols = ", ".join(
            self.preparer.format_column(fk.parent) for fk in constraint.elements
        )
        remote_cols = ", ".join(
            self.preparer.format_column(fk.column) for fk in constraint.elements
        )
        text = (
            self.define_constraint_name(constraint)
            + f"FOREIGN KEY({local_cols}) REFERENCES "
            + self.preparer.format_table(remote)
            + f" ({remote_cols})"
        )
        if constraint.ondelete is not None:
            action = " ".join(constraint.ondelete.upper().split())
            if action in ("CASCADE", "SET NULL"):
                text += " ON DELETE " + action
            elif action not in ("NO ACTION", "RESTRICT"):
                raise exc.CompileError(
                    f"Oracle does not support ON DELETE {action} for foreign keys"
                )
        if constraint.onupdate is not None:
            warnings.warn(
                "Oracle has no ON UPDATE action for foreign keys; onupdate="
                f"{constraint.onupdate!r} is not rendered (consider deferrable=True, "
                "initially='DEFERRED', or a trigger)",
                stacklevel=2,
            )
        return text + self.define_constraint_deferrability(constraint)

    def visit_computed_column(self, generated: Any, **kw: Any) -> str:
        """``GENERATED ALWAYS AS (expr) VIRTUAL``: Oracle's computed columns are virtual."""
        if generated.persisted is True:
            raise exc.CompileError(
                "Oracle computed columns are always virtual; Computed(persisted=True) can't "
                "be rendered"
            )
        return "GENERATED ALWAYS AS (" + self.sql_expression(generated.sqltext) + ") VIRTUAL"

    def visit_identity_column(self, identity: Any, **kw: Any) -> str:
        """``GENERATED {ALWAYS | BY DEFAULT [ON NULL]} AS IDENTITY [(options)]``."""
        if identity.always:
            text = "GENERATED ALWAYS"
        else:
            text = "GENERATED BY DEFAULT"
            if getattr(identity, "on_null", None):
                text += " ON NULL"
        text += " AS IDENTITY"
        options = self.get_identity_options(identity)
        if options:
            text += f" ({options})"
        return text

    def get_identity_options(self, identity: Any) -> str:
        """``START WITH n INCREMENT BY m ... [NO]CYCLE [NO]ORDER`` in Oracle's spelling."""
        parts = []
        if identity.start is not None:
            parts.append(f"START WITH {identity.start}")
        if identity.increment is not None:
            parts.append(f"INCREMENT BY {identity.increment}")
        if identity.minvalue is not None:
            parts.append(f"MINVALUE {identity.minvalue}")
        if identity.maxvalue is not None:
            parts.append(f"MAXVALUE {identity.maxvalue}")
        if getattr(identity, "nominvalue", False):
            parts.append("NOMINVALUE")
        if getattr(identity, "nomaxvalue", False):
            parts.append("NOMAXVALUE")
        cache = getattr(identity, "cache", None)
        if cache is not None:
            parts.append(f"CACHE {cache}" if cache else "NOCACHE")
        cycle = getattr(identity, "cycle", None)
        if cycle is not None:
            parts.append("CYCLE" if cycle else "NOCYCLE")
        order = getattr(identity, "order", None)
        if order is not None:
            parts.append("ORDER" if order else "NOORDER")
        return " ".join(parts)

    def visit_create_sequence(self, create: Any, **kw: Any) -> str:
        """``CREATE SEQUENCE name [options]``."""
        self._check_length(create.element.name, "sequence")
        return super().visit_create_sequence(create, **kw)

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        """``DROP INDEX schema.name``."""
        index = drop.element
        name = self.preparer.format_index(index)
        schema = getattr(index.table, "schema", None)
        if schema:
            name = self.preparer.quote_schema(schema) + "." + name
        return "\nDROP INDEX " + ("IF EXISTS " if drop.if_exists else "") + name


class OracleTypeCompiler(GenericTypeCompiler):
    """Oracle type names."""

    def visit_big_integer(self, type_: Any, **kw: Any) -> str:
        """``NUMBER(19)``."""
        return "NUMBER(19)"

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        """``NUMBER[(p[, s])]``."""
        return self.visit_NUMBER(type_, **kw)

    def visit_NUMBER(self, type_: Any, **kw: Any) -> str:
        """``NUMBER[(p[, s])]``."""
        if type_.precision is None:
            return "NUMBER" if type_.scale is None else f"NUMBER(*, {type_.scale})"
        if type_.scale is None:
            return f"NUMBER({type_.precision})"
        return f"NUMBER({type_.precision}, {type_.scale})"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        """``BINARY_DOUBLE`` (exact IEEE round trips), or ``FLOAT(p)`` in binary digits."""
        if type_.precision is not None:
            return f"FLOAT({type_.precision})"
        return "BINARY_DOUBLE"

    def visit_BINARY_DOUBLE(self, type_: Any, **kw: Any) -> str:
        """``BINARY_DOUBLE``."""
        return "BINARY_DOUBLE"

    def visit_BINARY_FLOAT(self, type_: Any, **kw: Any) -> str:
        """``BINARY_FLOAT``."""
        return "BINARY_FLOAT"

    def visit_string(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR2(n CHAR)``; Oracle needs the length."""
        return self.visit_VARCHAR2(type_, **kw)

    def visit_VARCHAR2(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR2(n CHAR)``; Oracle needs the length."""
        if not type_.length:
            raise exc.CompileError(
                "VARCHAR2 requires a length on dialect oracle (String(n)); use Text for "
                "unbounded strings"
            )
        return f"VARCHAR2({type_.length} CHAR)"

    def visit_NVARCHAR2(self, type_: Any, **kw: Any) -> str:
        """``NVARCHAR2(n)``."""
        if not type_.length:
            raise exc.CompileError("NVARCHAR2 requires a length on dialect oracle")
        return f"NVARCHAR2({type_.length})"

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR2(n CHAR)`` wide enough for the longest name."""
        return f"VARCHAR2({type_.length} CHAR)"

    def visit_text(self, type_: Any, **kw: Any) -> str:
        """``CLOB``."""
        return "CLOB"

    def visit_CLOB(self, type_: Any, **kw: Any) -> str:
        """``CLOB``."""
        return "CLOB"

    def visit_NCLOB(self, type_: Any, **kw: Any) -> str:
        """``NCLOB``."""
        return "NCLOB"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        """``BLOB``."""
        return "BLOB"

    def visit_BLOB(self, type_: Any, **kw: Any) -> str:
        """``BLOB``."""
        return "BLOB"

    def visit_RAW(self, type_: Any, **kw: Any) -> str:
        """``RAW(n)``."""
        return f"RAW({type_.length or 2000})"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        """``SMALLINT`` (0/1): Oracle SQL before 23ai has no BOOLEAN."""
        return "SMALLINT"

    def visit_DATE(self, type_: Any, **kw: Any) -> str:
        """``DATE`` (a date and a time to the second)."""
        return "DATE"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP [WITH TIME ZONE]``."""
        return "TIMESTAMP WITH TIME ZONE" if type_.timezone else "TIMESTAMP"

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        """``TIMESTAMP [WITH TIME ZONE]``."""
        return self.visit_datetime(type_, **kw)

    def visit_time(self, type_: Any, **kw: Any) -> str:
        """``INTERVAL DAY(0) TO SECOND(6)``: a time of day as the interval since midnight."""
        return "INTERVAL DAY(0) TO SECOND(6)"

    def visit_INTERVAL(self, type_: Any, **kw: Any) -> str:
        """``INTERVAL DAY[(d)] TO SECOND[(s)]``."""
        day = f"({type_.day_precision})" if type_.day_precision is not None else ""
        sec = f"({type_.second_precision})" if type_.second_precision is not None else ""
        return f"INTERVAL DAY{day} TO SECOND{sec}"

    def visit_json(self, type_: Any, **kw: Any) -> str:
        """``CLOB`` (the DDL compiler adds ``CHECK (col IS JSON)``)."""
        return "CLOB"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        """``RAW(16)``, or ``CHAR(32)`` hex for ``Uuid(native_uuid=False)``."""
        return "RAW(16)" if getattr(type_, "native_uuid", True) else "CHAR(32)"


class OracleDialect:
    """Compile-side data of the Oracle dialect (the driver class adds the DBAPI glue)."""

    name = "oracle"
    statement_compiler: ClassVar[type[SQLCompiler]] = OracleCompiler
    ddl_compiler: ClassVar[type[DDLCompiler]] = OracleDDLCompiler
    type_compiler_cls: ClassVar[type[GenericTypeCompiler]] = OracleTypeCompiler
    preparer: ClassVar[type[IdentifierPreparer]] = OracleIdentifierPreparer
    colspecs: ClassVar[dict[type, type]] = colspecs
    paramstyle = "named"
    supports_returning = True
    insert_returning = True
    update_returning = True
    delete_returning = True
    insert_executemany_returning = True
    update_executemany_returning = False
    delete_executemany_returning = False
    # Multi-row VALUES exists only from 23ai on; the ORM uses executemany instead.
    supports_multivalues_insert = False
    supports_default_values = False
    supports_empty_insert = False
    supports_native_boolean = False
    supports_native_decimal = True
    supports_native_uuid = False
    supports_native_enum = False
    supports_sequences = True
    sequences_optional = False
    supports_identity_columns = True
    supports_alter = True
    supports_comments = False
    supports_savepoints = True
    supports_two_phase = True
    supports_server_side_cursors = False
    postfetch_lastrowid = False
    implicit_returning = True
    default_schema_name: str | None = None
    max_identifier_length = 128
    isolation_levels: ClassVar[frozenset[str]] = ISOLATION_LEVELS

    def normalize_name(self, name: str) -> str:
        """A name Oracle reports (upper case = case-insensitive) in accord's convention."""
        if name.upper() == name and not self.identifier_preparer_requires_quotes(name.lower()):
            return name.lower()
        return name

    def denormalize_name(self, name: str) -> str:
        """accord's name as Oracle's dictionary stores it (lower case -> upper case)."""
        if name.lower() == name and not self.identifier_preparer_requires_quotes(name):
            return name.upper()
        return name

    def identifier_preparer_requires_quotes(self, name: str) -> bool:
        """True when ``name`` (in lower case) could only be written quoted."""
        return (
            name in RESERVED_WORDS
            or name[:1] in OracleIdentifierPreparer.illegal_initial_characters
            or re.fullmatch(r"[a-z][a-z0-9_$#]*", name) is None
        )
