"""DDL compilation: CREATE/DROP TABLE, INDEX and SEQUENCE text, and DDL type names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql.compiler import Compiled

if TYPE_CHECKING:
    from accord.sql import types as sqltypes

__all__ = ["DDLCompiler", "GenericTypeCompiler", "fk_action"]


class GenericTypeCompiler:
    """Renders a type's DDL name; dialects override ``visit_<visit_name>`` methods."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect

    def process(self, type_: sqltypes.TypeEngine, **kw: Any) -> str:
        """The DDL name of ``type_``."""
        return getattr(self, "visit_" + type_.__visit_name__)(type_, **kw)  # type: ignore[no-any-return]

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        """``INTEGER``."""
        return "INTEGER"

    def visit_small_integer(self, type_: Any, **kw: Any) -> str:
        """``SMALLINT``."""
        return "SMALLINT"

    def visit_big_integer(self, type_: Any, **kw: Any) -> str:
        """``BIGINT``."""
        return "BIGINT"

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        """``NUMERIC(p, s)``."""
        if type_.precision is None:
            return "NUMERIC"
        if type_.scale is None:
            return f"NUMERIC({type_.precision})"
        return f"NUMERIC({type_.precision}, {type_.scale})"

    def visit_float(self, type_: Any, **kw: Any) -> str:
        """``FLOAT`` or ``FLOAT(p)``."""
        return f"FLOAT({type_.precision})" if type_.precision is not None else "FLOAT"

    def visit_string(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR(n)``."""
        text = f"VARCHAR({type_.length})" if type_.length else "VARCHAR"
        if type_.collation:
            text += f' COLLATE "{type_.collation}"'
        return text

    def visit_text(self, type_: Any, **kw: Any) -> str:
        """``TEXT``."""
        return "TEXT"

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        """``VARCHAR(n)`` wide enough for the longest value."""
        return f"VARCHAR({type_.length})"

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        """``BOOLEAN``."""
        return "BOOLEAN"

    def visit_date(self, type_: Any, **kw: Any) -> str:
        """``DATE``."""
        return "DATE"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        """``DATETIME``."""
        return "DATETIME"

    def visit_time(self, type_: Any, **kw: Any) -> str:
        """``TIME``."""
        return "TIME"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        """``BLOB``."""
        return f"BLOB({type_.length})" if type_.length else "BLOB"

    def visit_json(self, type_: Any, **kw: Any) -> str:
        """``JSON``."""
        return "JSON"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        """``UUID`` where native, else ``CHAR(32)``."""
        if type_.native_uuid and getattr(self.dialect, "supports_native_uuid", False):
            return "UUID"
        return "CHAR(32)"

    def visit_type_decorator(self, type_: Any, **kw: Any) -> str:
        """The wrapped type's name."""
        return self.process(type_.load_dialect_impl(self.dialect), **kw)

    def visit_null(self, type_: Any, **kw: Any) -> str:
        """NullType has no DDL name."""
        raise exc.CompileError(
            "Can't generate DDL for NullType(); did you forget to specify a type on this Column?"
        )

    def visit_type_engine(self, type_: Any, **kw: Any) -> str:
        """A type without a DDL rendering."""
        raise exc.CompileError(f"No DDL rendering for type {type_!r}")


class DDLCompiler(Compiled):
    """Compiles CREATE/DROP constructs; dialects override column, type and constraint parts."""

    isddl = True

    def __init__(self, dialect: Any, statement: Any, **kw: Any) -> None:
        super().__init__(dialect, statement)
        from accord.sql.preparer import _preparer_of

        self.preparer = _preparer_of(dialect)
        self.type_compiler = dialect.type_compiler
        self.string = self.process(statement)
        self._bind_processors = {}
        self._result_columns = []

    @property
    def sql_compiler(self) -> Any:
        """A statement compiler for expressions inside DDL: literals inline, ``%`` as written."""
        return self.dialect.statement_compiler(
            self.dialect, None, compile_kwargs={"literal_binds": True}, escape_percent=False
        )

    def sql_expression(self, element: Any) -> str:
        """An expression (CHECK, server default, computed column) as DDL text."""
        compiler = self.sql_compiler
        compiler.literal_binds = True
        text = compiler.process(element, include_table=False, literal_binds=True)
        return compiler.finalize(text)  # type: ignore[no-any-return]

    _sql = sql_expression  # the former private name, kept for dialects not yet switched

    # -- tables -------------------------------------------------------------------------

    def visit_create_table(self, create: Any, **kw: Any) -> str:
        """``CREATE TABLE name (columns, constraints)``."""
        table = create.element
        text = "\nCREATE TABLE "
        if create.if_not_exists:
            text += "IF NOT EXISTS "
        text += self.preparer.format_table(table) + " "
        text += "(\n"
        lines = []
        for column in table.c:
            try:
                line = self.get_column_specification(column)
            except exc.CompileError as e:
                raise exc.CompileError(
                    f"(in table '{table.description}', column '{column.name}'): {e}"
                ) from e
            lines.append("\t" + line)
        constraints = self.create_table_constraints(
            table, include_foreign_key_constraints=create.include_foreign_key_constraints
        )
        if constraints:
            lines.append("\t" + constraints)
        text += ", \n".join(lines)
        text += "\n)" + self.post_create_table(table) + "\n\n"
        return text

    def post_create_table(self, table: Any) -> str:
        """Text after the closing parenthesis (``WITHOUT ROWID``, engine options)."""
        return ""

    def get_column_specification(self, column: Any, **kw: Any) -> str:
        """``name TYPE [DEFAULT x] [NOT NULL] [IDENTITY|GENERATED ...]``."""
        colspec = (
            self.preparer.format_column(column)
            + " "
            + self.type_compiler.process(_column_type(column), type_expression=column)
        )
        default = self.get_column_default_string(column)
        if default is not None:
            colspec += " DEFAULT " + default
        if column.computed is not None:
            colspec += " " + self.visit_computed_column(column.computed)
        if column.identity is not None and getattr(
            self.dialect, "supports_identity_columns", True
        ):
            colspec += " " + self.visit_identity_column(column.identity)
        if not column.nullable and (
            column.identity is None or not getattr(self.dialect, "supports_identity_columns", True)
        ):
            colspec += " NOT NULL"
        return colspec  # type: ignore[no-any-return]

    def get_column_default_string(self, column: Any) -> str | None:
        """The DEFAULT text of ``server_default``, or None."""
        from accord.sql.defaults import DefaultClause

        default = column.server_default
        if isinstance(default, DefaultClause) and not default.for_update:
            arg = default.arg
            if isinstance(arg, str):
                return self.render_default_string(arg)
            return self.sql_expression(arg)
        return None

    def render_default_string(self, default: str) -> str:
        """A string server default as a quoted literal."""
        return "'" + default.replace("'", "''") + "'"

    def visit_computed_column(self, generated: Any, **kw: Any) -> str:
        """``GENERATED ALWAYS AS (expr) [STORED | VIRTUAL]``."""
        text = "GENERATED ALWAYS AS (" + self.sql_expression(generated.sqltext) + ")"
        if generated.persisted is True:
            text += " STORED"
        elif generated.persisted is False:
            text += " VIRTUAL"
        return text

    def get_identity_options(self, identity: Any) -> str:
        """``START WITH n INCREMENT BY m ...``."""
        parts = []
        if identity.start is not None:
            parts.append(f"START WITH {identity.start}")
        if identity.increment is not None:
            parts.append(f"INCREMENT BY {identity.increment}")
        if identity.minvalue is not None:
            parts.append(f"MINVALUE {identity.minvalue}")
        if identity.maxvalue is not None:
            parts.append(f"MAXVALUE {identity.maxvalue}")
        if getattr(identity, "cache", None) is not None:
            parts.append(f"CACHE {identity.cache}")
        if getattr(identity, "cycle", None) is not None:
            parts.append("CYCLE" if identity.cycle else "NO CYCLE")
        return " ".join(parts)

    def visit_identity_column(self, identity: Any, **kw: Any) -> str:
        """``GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)]``."""
        text = "GENERATED " + ("ALWAYS" if identity.always else "BY DEFAULT") + " AS IDENTITY"
        options = self.get_identity_options(identity)
        if options:
            text += f" ({options})"
        return text

    def create_table_constraints(
        self, table: Any, include_foreign_key_constraints: Any = None
    ) -> str:
        """Primary key, then the other constraints, joined for CREATE TABLE.

        ``include_foreign_key_constraints`` (a list) limits the foreign keys written inline;
        the others are added later with ALTER TABLE (cycles between tables).
        """
        include = (
            None
            if include_foreign_key_constraints is None
            else {id(c) for c in include_foreign_key_constraints}
        )
        from accord.sql.constraints import CheckConstraint, ForeignKeyConstraint, UniqueConstraint

        parts = []
        if len(table.primary_key.columns):
            parts.append(self.visit_primary_key_constraint(table.primary_key))
        others = sorted(
            (c for c in table.constraints if c is not table.primary_key),
            key=lambda c: (
                0
                if isinstance(c, ForeignKeyConstraint)
                else 1
                if isinstance(c, UniqueConstraint)
                else 2,
                getattr(c, "_creation_order", 0),
                c.name or "",
                [getattr(x, "name", "") for x in getattr(c, "columns", [])],
            ),
        )
        for con in others:
            if isinstance(con, ForeignKeyConstraint):
                if con.use_alter and getattr(self.dialect, "supports_alter", True):
                    continue
                if include is not None and id(con) not in include:
                    continue
                parts.append(self.visit_foreign_key_constraint(con))
            elif isinstance(con, UniqueConstraint):
                parts.append(self.visit_unique_constraint(con))
            elif isinstance(con, CheckConstraint):
                parts.append(self.visit_check_constraint(con))
        return ", \n\t".join(p for p in parts if p)

    def define_constraint_name(self, constraint: Any) -> str:
        """``CONSTRAINT name `` (explicit or from the naming convention), else empty."""
        if constraint.name is None:
            from accord.sql.constraints import conventional_name

            name = conventional_name(constraint)
            return f"CONSTRAINT {self.preparer.quote(name)} " if name else ""
        return f"CONSTRAINT {self.preparer.format_constraint(constraint)} "

    def define_constraint_match(self, constraint: Any) -> str:
        """`` MATCH x`` of a foreign key given ``match=``; dialects without it return ""."""
        return f" MATCH {constraint.match}" if constraint.match is not None else ""

    def define_constraint_deferrability(self, constraint: Any) -> str:
        """`` [NOT] DEFERRABLE [INITIALLY x]``; dialects without deferral return ""."""
        text = ""
        if constraint.deferrable is not None:
            text += " DEFERRABLE" if constraint.deferrable else " NOT DEFERRABLE"
        if constraint.initially is not None:
            text += f" INITIALLY {constraint.initially}"
        return text

    def visit_primary_key_constraint(self, constraint: Any, **kw: Any) -> str:
        """``[CONSTRAINT n] PRIMARY KEY (a, b)``."""
        cols = ", ".join(self.preparer.format_column(c) for c in constraint.columns)
        return self.define_constraint_name(constraint) + f"PRIMARY KEY ({cols})"

    def visit_unique_constraint(self, constraint: Any, **kw: Any) -> str:
        """``[CONSTRAINT n] UNIQUE (a, b)``."""
        cols = ", ".join(self.preparer.format_column(c) for c in constraint.columns)
        return (
            self.define_constraint_name(constraint)
            + f"UNIQUE ({cols})"
            + self.define_constraint_deferrability(constraint)
        )

    def visit_check_constraint(self, constraint: Any, **kw: Any) -> str:
        """``[CONSTRAINT n] CHECK (expr)``."""
        return (
            self.define_constraint_name(constraint)
            + "CHECK ("
            + self.sql_expression(constraint.sqltext)
            + ")"
            + self.define_constraint_deferrability(constraint)
        )

    def visit_foreign_key_constraint(self, constraint: Any, **kw: Any) -> str:
        """``[CONSTRAINT n] FOREIGN KEY(a) REFERENCES t (x) [ON DELETE ..] [ON UPDATE ..]``."""
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
        text += self.define_constraint_match(constraint)
        if constraint.ondelete is not None:
            text += " ON DELETE " + fk_action(constraint.ondelete)
        if constraint.onupdate is not None:
            text += " ON UPDATE " + fk_action(constraint.onupdate)
        return text + self.define_constraint_deferrability(constraint)

    def visit_drop_table(self, drop: Any, **kw: Any) -> str:
        """``DROP TABLE [IF EXISTS] name``."""
        text = "\nDROP TABLE "
        if drop.if_exists:
            text += "IF EXISTS "
        return text + self.preparer.format_table(drop.element)

    _constraint_name = define_constraint_name  # former private names, kept for dialects
    _deferrable = define_constraint_deferrability

    # -- indexes, sequences, constraints ------------------------------------------------

    def visit_create_index(self, create: Any, **kw: Any) -> str:
        """``CREATE [UNIQUE] INDEX name ON table (exprs)``."""
        index = create.element
        if index.name is None:
            raise exc.CompileError("CREATE INDEX requires that the index have a name")
        text = "CREATE "
        if index.unique:
            text += "UNIQUE "
        text += "INDEX "
        if create.if_not_exists:
            text += "IF NOT EXISTS "
        exprs = ", ".join(self.sql_expression(e) for e in index.expressions)
        text += (
            self._index_name(index)
            + " ON "
            + self.preparer.format_table(index.table)
            + f" ({exprs})"
        )
        return text

    def _index_name(self, index: Any) -> str:
        name = self.preparer.format_index(index)
        schema = getattr(index.table, "schema", None)
        if schema and self.include_index_schema:
            name = self.preparer.quote_schema(schema) + "." + name
        return name

    include_index_schema = True

    def visit_drop_index(self, drop: Any, **kw: Any) -> str:
        """``DROP INDEX [IF EXISTS] name``."""
        text = "\nDROP INDEX "
        if drop.if_exists:
            text += "IF EXISTS "
        return text + self._index_name(drop.element)

    def visit_create_sequence(self, create: Any, **kw: Any) -> str:
        """``CREATE SEQUENCE name [START WITH n] [INCREMENT BY m]``."""
        seq = create.element
        text = "CREATE SEQUENCE "
        if create.if_not_exists:
            text += "IF NOT EXISTS "
        text += self.preparer.format_sequence(seq)
        options = self.get_identity_options(seq)
        if options:
            text += " " + options
        return text

    def visit_drop_sequence(self, drop: Any, **kw: Any) -> str:
        """``DROP SEQUENCE name``."""
        text = "DROP SEQUENCE "
        if drop.if_exists:
            text += "IF EXISTS "
        return text + self.preparer.format_sequence(drop.element)

    def visit_add_constraint(self, add: Any, **kw: Any) -> str:
        """``ALTER TABLE t ADD <constraint>``."""
        con = add.element
        return (
            "ALTER TABLE "
            + self.preparer.format_table(con.table)
            + " ADD "
            + self.process(_ConstraintText(con))
        )

    def visit_drop_constraint(self, drop: Any, **kw: Any) -> str:
        """``ALTER TABLE t DROP CONSTRAINT name``."""
        con = drop.element
        name = self.preparer.format_constraint(con)
        if name is None:
            raise exc.CompileError("Can't emit DROP CONSTRAINT for a constraint without a name")
        return "ALTER TABLE " + self.preparer.format_table(con.table) + " DROP CONSTRAINT " + name

    def visit_constraint_text(self, ct: _ConstraintText, **kw: Any) -> str:
        """One constraint's CREATE TABLE text."""
        con = ct.constraint
        return getattr(self, "visit_" + con.__visit_name__)(con)  # type: ignore[no-any-return]


class _ConstraintText:
    __visit_name__ = "constraint_text"

    def __init__(self, constraint: Any) -> None:
        self.constraint = constraint

    def _compiler_dispatch(self, compiler: Any, **kw: Any) -> str:
        return compiler.visit_constraint_text(self, **kw)  # type: ignore[no-any-return]


_FK_ACTIONS = frozenset({"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"})


def fk_action(action: str) -> str:
    """An ON DELETE / ON UPDATE action, normalised; CompileError for anything else."""
    upper = " ".join(action.upper().split())
    if upper not in _FK_ACTIONS:
        raise exc.CompileError(f"Unexpected SQL phrase for ON DELETE/ON UPDATE: {action!r}")
    return upper


def _column_type(column: Any) -> Any:
    resolve = getattr(column, "_resolve_type", None)
    return resolve() if resolve is not None else column.type
