"""DDL constructs (CREATE/DROP TABLE, INDEX, SEQUENCE) and create_all/drop_all ordering."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql.elements import ClauseElement, Executable
from accord.util.topological import CycleFoundError
from accord.util.topological import sort as topo_sort

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from accord.sql.compiler import Compiled
    from accord.sql.constraints import ForeignKeyConstraint
    from accord.sql.schema import MetaData, Table

__all__ = [
    "AddConstraint",
    "CreateIndex",
    "CreateSequence",
    "CreateTable",
    "DDLElement",
    "DropConstraint",
    "DropIndex",
    "DropSequence",
    "DropTable",
    "sort_tables",
    "sort_tables_and_constraints",
]


class DDLElement(Executable, ClauseElement):
    """Base of DDL statements; compiled by the dialect's DDL compiler, never cached."""

    def __init__(self, element: Any, if_exists: bool = False, if_not_exists: bool = False) -> None:
        self.element = element
        self.if_exists = if_exists
        self.if_not_exists = if_not_exists

    def _compiler(self, dialect: Any, **kw: Any) -> Compiled:
        return dialect.ddl_compiler(dialect, self, **kw)  # type: ignore[no-any-return]

    def _execute_on_connection(
        self, connection: Any, distilled_params: Any, execution_options: Any
    ) -> Any:
        return connection._execute_ddl(self, distilled_params, execution_options)

    def _generate_cache_key(self) -> None:
        """DDL is not cached."""
        return None


class CreateTable(DDLElement):
    """``CREATE TABLE``."""

    __visit_name__ = "create_table"


class DropTable(DDLElement):
    """``DROP TABLE``."""

    __visit_name__ = "drop_table"


class CreateIndex(DDLElement):
    """``CREATE INDEX``."""

    __visit_name__ = "create_index"


class DropIndex(DDLElement):
    """``DROP INDEX``."""

    __visit_name__ = "drop_index"


class CreateSequence(DDLElement):
    """``CREATE SEQUENCE``."""

    __visit_name__ = "create_sequence"


class DropSequence(DDLElement):
    """``DROP SEQUENCE``."""

    __visit_name__ = "drop_sequence"


class AddConstraint(DDLElement):
    """``ALTER TABLE ... ADD CONSTRAINT``."""

    __visit_name__ = "add_constraint"


class DropConstraint(DDLElement):
    """``ALTER TABLE ... DROP CONSTRAINT``."""

    __visit_name__ = "drop_constraint"


# ---------------------------------------------------------------------------------------
# ordering
# ---------------------------------------------------------------------------------------


def _dependencies(tables: Sequence[Table], skip: Any = None) -> list[tuple[Table, Table]]:
    keys = {id(t) for t in tables}
    edges = []
    for table in tables:
        for fkc in _fk_constraints(table):
            if skip is not None and skip(fkc):
                continue
            try:
                referred = fkc.referred_table
            except exc.InvalidRequestError:
                # The referenced table is not known here: no ordering constraint.
                continue
            if referred is not table and id(referred) in keys:
                edges.append((referred, table))
    return edges


def _fk_constraints(table: Table) -> list[ForeignKeyConstraint]:
    from accord.sql.constraints import ForeignKeyConstraint

    return [c for c in table.constraints if isinstance(c, ForeignKeyConstraint)]


def sort_tables(tables: Iterable[Table], ignore_use_alter: bool = False) -> list[Table]:
    """Tables so that referenced tables come before the tables referencing them.

    Foreign keys with ``use_alter=True`` are left out of the ordering (unless
    ``ignore_use_alter``); a remaining cycle raises ``CircularDependencyError``.
    """
    tables = list(tables)

    def skip(fkc: ForeignKeyConstraint) -> bool:
        return bool(fkc.use_alter) and not ignore_use_alter

    try:
        return list(topo_sort(_dependencies(tables, skip), tables))
    except CycleFoundError as e:
        names = ", ".join(sorted(getattr(t, "fullname", repr(t)) for t in e.cycles))
        raise exc.CircularDependencyError(
            f"Can't sort tables for DDL; an unresolvable foreign key dependency exists "
            f"between tables: {names}. Consider using use_alter=True on ForeignKey or "
            f"ForeignKeyConstraint objects that take part in the cycle.",
            cycles=e.cycles,
            edges=e.edges,
        ) from None


def sort_tables_and_constraints(
    tables: Iterable[Table],
) -> list[tuple[Table | None, list[ForeignKeyConstraint]]]:
    """``(table, [])`` pairs in dependency order, then ``(None, use_alter constraints)``."""
    tables = sort_tables(tables)
    alter = [c for t in tables for c in _fk_constraints(t) if c.use_alter]
    out: list[tuple[Table | None, list[ForeignKeyConstraint]]] = [(t, []) for t in tables]
    if alter:
        out.append((None, alter))
    return out


# ---------------------------------------------------------------------------------------
# create_all / drop_all
# ---------------------------------------------------------------------------------------


@contextmanager
def _connection(bind: Any) -> Iterator[Any]:
    # An Engine has begin() returning a context manager that yields a Connection; a
    # Connection is used as is (its caller owns the transaction).
    if hasattr(bind, "_execute_clauseelement") or not hasattr(bind, "connect"):
        yield bind
        return
    with bind.begin() as conn:
        yield conn


def _has_table(conn: Any, table: Table) -> bool:
    return bool(conn.dialect.has_table(conn, table.name, schema=table.schema))


def _has_sequence(conn: Any, seq: Any) -> bool:
    has = getattr(conn.dialect, "has_sequence", None)
    return bool(has(conn, seq.name, schema=seq.schema)) if has is not None else False


def create_tables(
    bind: Any,
    tables: list[Table],
    checkfirst: bool = True,
    metadata: MetaData | None = None,
    sequences: bool = True,
) -> None:
    """CREATE ``tables`` (with indexes) in foreign-key order; sequences first."""
    ordered = sort_tables(tables)
    with _connection(bind) as conn:
        dialect = conn.dialect
        supports_alter = getattr(dialect, "supports_alter", True)
        if sequences and getattr(dialect, "supports_sequences", False):
            for seq in _sequences(metadata, ordered):
                if checkfirst and _has_sequence(conn, seq):
                    continue
                conn.execute(CreateSequence(seq))
        for table in ordered:
            if checkfirst and _has_table(conn, table):
                continue
            conn.execute(CreateTable(table))
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                conn.execute(CreateIndex(index))
        if supports_alter:
            for table in ordered:
                for fkc in _fk_constraints(table):
                    if fkc.use_alter and fkc.name is not None:
                        conn.execute(AddConstraint(fkc))


def drop_tables(
    bind: Any,
    tables: list[Table],
    checkfirst: bool = True,
    metadata: MetaData | None = None,
    sequences: bool = True,
) -> None:
    """DROP ``tables`` in reverse foreign-key order; sequences last."""
    ordered = list(reversed(sort_tables(tables)))
    with _connection(bind) as conn:
        dialect = conn.dialect
        if getattr(dialect, "supports_alter", True):
            for table in ordered:
                for fkc in _fk_constraints(table):
                    if fkc.use_alter and fkc.name is not None:
                        if checkfirst and not _has_table(conn, table):
                            continue
                        conn.execute(DropConstraint(fkc))
        for table in ordered:
            if checkfirst and not _has_table(conn, table):
                continue
            conn.execute(DropTable(table))
        if sequences and getattr(dialect, "supports_sequences", False):
            for seq in _sequences(metadata, ordered):
                if checkfirst and not _has_sequence(conn, seq):
                    continue
                conn.execute(DropSequence(seq))


def _sequences(metadata: MetaData | None, tables: list[Table]) -> list[Any]:
    from accord.sql.defaults import Sequence as SequenceItem

    seen: dict[int, Any] = {}
    if metadata is not None:
        for seq in metadata._sequences.values():
            seen[id(seq)] = seq
    for t in tables:
        for c in t.c:
            d = getattr(c, "default", None)
            if isinstance(d, SequenceItem):
                seen[id(d)] = d
    return [s for s in seen.values() if not s.optional]
