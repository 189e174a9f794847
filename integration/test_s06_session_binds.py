"""S6/S7 partitioning on every backend: one Session, two databases, one flush, one commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

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


@pytest.fixture
def engines(accord_engine: Engine, second_engine: Engine) -> tuple[Engine, Engine]:
    """Customers live in the worker's database, invoices in a second one."""
    Base.metadata.tables["s06b_customer"].create(accord_engine)
    Base.metadata.tables["s06b_invoice"].create(second_engine)
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
