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
    """``CREATE TABLE``; ``include_foreign_key_constraints`` limits the inline foreign keys."""

    __visit_name__ = "create_table"

    def __init__(
        self,
        element: Any,
        if_not_exists: bool = False,
        include_foreign_key_constraints: Sequence[ForeignKeyConstraint] | None = None,
    ) -> None:
        super().__init__(element, if_not_exists=if_not_exists)
        self.include_foreign_key_constraints = include_foreign_key_constraints


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


def _sort_breaking_cycles(tables: list[Table]) -> tuple[list[Table], list[ForeignKeyConstraint]]:
    """Tables in foreign-key order, and the foreign keys created or dropped separately.

    Those are the ``use_alter=True`` ones and, when tables refer to each other in a cycle,
    every foreign key between tables of the cycle: leaving them out of the ordering is what
    makes an order exist (they are then added with ALTER TABLE, or inline where the
    database accepts a reference to a table that does not exist yet).
    """
    use_alter = [c for t in tables for c in _fk_constraints(t) if c.use_alter]
    try:
        return sort_tables(tables), use_alter
    except exc.CircularDependencyError as err:
        in_cycle = {id(t) for t in err.cycles}
    broken: list[ForeignKeyConstraint] = []
    for table in tables:
        for fkc in _fk_constraints(table):
            if fkc.use_alter or id(table) not in in_cycle:
                continue
            try:
                referred = fkc.referred_table
            except exc.InvalidRequestError:
                continue
            if referred is not table and id(referred) in in_cycle:
                broken.append(fkc)
    skipped = {id(c) for c in broken}
    # acyclic now: every edge between tables on a cycle is left out
    edges = _dependencies(tables, lambda c: c.use_alter or id(c) in skipped)
    return list(topo_sort(edges, tables)), use_alter + broken


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
    """CREATE ``tables`` (with indexes) in foreign-key order; sequences first.

    Foreign keys in a cycle between tables (and ``use_alter`` ones) are added after every
    table exists, with ALTER TABLE; a database without ALTER ... ADD CONSTRAINT (sqlite)
    gets them inline, as it accepts references to tables created later.
    """
    ordered, separate = _sort_breaking_cycles(tables)
    separate_ids = {id(c) for c in separate}
    with _connection(bind) as conn:
        dialect = conn.dialect
        supports_alter = getattr(dialect, "supports_alter", True)
        if sequences and getattr(dialect, "supports_sequences", False):
            for seq in _sequences(metadata, ordered):
                if checkfirst and _has_sequence(conn, seq):
                    continue
                conn.execute(CreateSequence(seq))
        created = []
        for table in ordered:
            if checkfirst and _has_table(conn, table):
                continue
            inline = None
            if supports_alter:
                inline = [c for c in _fk_constraints(table) if id(c) not in separate_ids]
            conn.execute(CreateTable(table, include_foreign_key_constraints=inline))
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                conn.execute(CreateIndex(index))
            created.append(table)
        if supports_alter:
            made = {id(t) for t in created}
            for fkc in separate:
                if id(fkc.table) in made:
                    conn.execute(AddConstraint(fkc))


def drop_tables(
    bind: Any,
    tables: list[Table],
    checkfirst: bool = True,
    metadata: MetaData | None = None,
    sequences: bool = True,
) -> None:
    """DROP ``tables`` in reverse foreign-key order; sequences last.

    Foreign keys in a cycle between tables (and named ``use_alter`` ones) are dropped
    first with ALTER TABLE, which needs their names; without ALTER (sqlite) the tables
    are simply dropped.
    """
    forward, separate = _sort_breaking_cycles(tables)
    ordered = list(reversed(forward))
    with _connection(bind) as conn:
        dialect = conn.dialect
        if getattr(dialect, "supports_alter", True):
            named = []
            for fkc in separate:
                owner = fkc.table
                if owner is None or (fkc.name is None and fkc.use_alter):
                    continue  # an unnamed use_alter key was never added by name
                if fkc.name is None:  # checked for all before any DROP runs
                    raise exc.CircularDependencyError(
                        f"Can't drop table {owner.name!r}: its foreign key to "
                        f"{fkc.referred_table.name!r} is part of a cycle between tables and "
                        "has no name to drop it by; give it one (ForeignKey(..., name=...))",
                        cycles=[owner, fkc.referred_table],
                        edges=[],
                    )
                named.append((owner, fkc))
            for owner, fkc in named:
                if checkfirst and not _has_table(conn, owner):
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
