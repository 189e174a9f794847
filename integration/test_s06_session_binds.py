"""S6/S7 partitioning on every backend: one Session, two databases, one flush, one commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import String, select

if TYPE_CHECKING:
    from accord.engine import Engine


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "s06b_customer"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))


class Invoice(Base):
    __tablename__ = "s06b_invoice"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int]


class Audited:
    """A mixin: binding it binds every mapped class that uses it."""


class AuditEntry(Audited, Base):
    __tablename__ = "s06b_audit"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(40))


class OtherBase(DeclarativeBase):
    pass


class Note(OtherBase):
    __tablename__ = "s06b_note"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(String(40))


@pytest.fixture
def engines(accord_engine: Engine, second_engine: Engine) -> tuple[Engine, Engine]:
    """Customers live in the worker's database, invoices in a second one."""
    Base.metadata.tables["s06b_customer"].create(accord_engine)
    Base.metadata.tables["s06b_invoice"].create(second_engine)
    Base.metadata.tables["s06b_audit"].create(second_engine)
    OtherBase.metadata.create_all(second_engine)
    return accord_engine, second_engine


def ids(engine: Engine, cls: Any) -> list[int]:
    """Committed primary keys of ``cls`` in ``engine``'s database."""
    with engine.connect() as conn:
        return list(conn.execute(select(cls.id).order_by(cls.id)).scalars())


def test_one_flush_spans_two_databases_and_one_commit_commits_both(
    engines: tuple[Engine, Engine],
) -> None:
    first, second = engines
    with Session(binds={Customer: first, Invoice: second}) as s:
        s.add_all([Customer(id=1, name="ada"), Invoice(id=10, total=5), Invoice(id=11, total=6)])
        s.flush()
        assert ids(first, Customer) == []  # flushed, not yet committed
        s.commit()
        assert s.get(Invoice, 11).total == 6
        assert s.scalars(select(Customer.name)).all() == ["ada"]
    assert ids(first, Customer) == [1]
    assert ids(second, Invoice) == [10, 11]


def test_rollback_undoes_both_databases(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    with Session(binds={Customer: first, Invoice: second}) as s:
        customer, invoice = Customer(id=1, name="ada"), Invoice(id=10, total=5)
        s.add_all([customer, invoice])
        s.flush()
        s.rollback()
        assert inspect(customer).transient
        assert inspect(invoice).transient
    assert ids(first, Customer) == []
    assert ids(second, Invoice) == []


def test_without_twophase_commits_in_order_best_effort(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    committed: list[str] = []
    listen(first, "commit", lambda conn: committed.append("first"))

    def fail(conn: Any) -> None:
        raise RuntimeError("second database unreachable")

    listen(second, "commit", fail)
    with Session(binds={Customer: first, Invoice: second}) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()  # the first database joins the transaction first: it commits first
        s.add(Invoice(id=10, total=5))
        with pytest.raises(RuntimeError, match="unreachable"):
            s.commit()
        s.rollback()
    assert committed == ["first"]
    assert ids(first, Customer) == [1]  # no two-phase: what committed stays committed
    assert ids(second, Invoice) == []


def test_binds_by_mapper_table_mixin_and_base_route_one_flush(
    engines: tuple[Engine, Engine],
) -> None:
    first, second = engines
    binds = {
        inspect(Customer): first,  # a Mapper
        Invoice.__table__: second,  # a Table
        Audited: second,  # an unmapped mixin
        OtherBase: second,  # a declarative base
    }
    with Session(binds=binds) as s:
        assert s.get_bind(Customer) is first
        assert s.get_bind(Invoice) is second
        assert s.get_bind(AuditEntry) is second
        assert s.get_bind(Note) is second
        assert s.get_bind(clause=select(Invoice.total)) is second
        s.add_all(
            [
                Customer(id=1, name="ada"),
                Invoice(id=10, total=5),
                AuditEntry(id=20, text="added"),
                Note(id=30, body="hello"),
            ]
        )
        s.commit()  # each INSERT would fail on the other database: its table is not there
        assert s.scalars(select(Note.body)).all() == ["hello"]
    assert ids(first, Customer) == [1]
    assert ids(second, Invoice) == [10]
    assert ids(second, AuditEntry) == [20]
    assert ids(second, Note) == [30]


def test_get_bind_override_routes_by_its_own_rule(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    asked: list[str] = []

    class Routing(Session):
        def get_bind(self, mapper: Any = None, **kw: Any) -> Any:
            """Invoices to the second database, everything else to the first."""
            m = inspect(mapper) if isinstance(mapper, type) else mapper
            name = m.class_.__name__ if m is not None else "statement"
            asked.append(name)
            return second if name == "Invoice" else first

    with Routing() as s:
        s.add_all([Customer(id=1, name="ada"), Invoice(id=10, total=5)])
        s.commit()
        assert s.get(Invoice, 10).total == 5
    assert {"Customer", "Invoice"} <= set(asked)
    assert ids(first, Customer) == [1]
    assert ids(second, Invoice) == [10]


@pytest.mark.requires("savepoints")
def test_savepoint_spans_both_databases(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    with Session(binds={Customer: first, Invoice: second}) as s:
        s.add_all([Customer(id=1, name="kept"), Invoice(id=10, total=1)])
        s.flush()
        conns = [s.connection(bind_arguments={"mapper": cls}) for cls in (Customer, Invoice)]
        savepoint = s.begin_nested()
        inner = [Customer(id=2, name="undone"), Invoice(id=11, total=2)]
        s.add_all(inner)
        s.flush()
        assert all(c.in_nested_transaction() for c in conns)  # SAVEPOINT on each database
        savepoint.rollback()
        assert all(inspect(o).transient for o in inner)
        s.commit()
    assert ids(first, Customer) == [1]
    assert ids(second, Invoice) == [10]


def test_failed_flush_on_the_second_database_rolls_back_both(
    engines: tuple[Engine, Engine],
) -> None:
    first, second = engines
    with Session(binds={Customer: first, Invoice: second}) as s, s.begin():
        s.add(Invoice(id=10, total=1))
    with Session(binds={Customer: first, Invoice: second}) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()
        s.add(Invoice(id=10, total=2))  # the key is taken on the second database
        with pytest.raises(exc.IntegrityError):
            s.commit()
        s.rollback()
    assert ids(first, Customer) == []
    assert ids(second, Invoice) == [10]
