"""S1 DDL: create_all/drop_all in foreign-key order, checkfirst, constraints enforced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import DBAPIError, IntegrityError
from accord.sql import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)

if TYPE_CHECKING:
    from accord.engine import Engine


def _shop() -> tuple[MetaData, Table, Table, Table]:
    # Declared children first, so only a dependency sort gets the order right.
    metadata = MetaData()
    line = Table(
        "ddl_line",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("order_id", Integer, ForeignKey("ddl_order.id", ondelete="CASCADE")),
        Column("qty", Integer, CheckConstraint("qty > 0", name="ck_ddl_line_qty")),
    )
    order = Table(
        "ddl_order",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer, ForeignKey("ddl_customer.id"), nullable=False),
    )
    customer = Table(
        "ddl_customer",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(100), nullable=False),
        UniqueConstraint("email", name="uq_ddl_customer_email"),
        Index("ix_ddl_customer_email_id", "email", "id"),
    )
    return metadata, customer, order, line


def _has(engine: Engine, name: str) -> bool:
    with engine.connect() as conn:
        return bool(engine.dialect.has_table(conn, name))


def test_create_all_and_drop_all_follow_foreign_keys(accord_engine: Engine) -> None:
    metadata, customer, order, line = _shop()
    metadata.create_all(accord_engine)
    assert all(_has(accord_engine, t.name) for t in (customer, order, line))
    with accord_engine.begin() as conn:
        conn.execute(insert(customer), {"id": 1, "email": "a@x"})
        conn.execute(insert(order), {"id": 1, "customer_id": 1})
        conn.execute(insert(line), {"id": 1, "order_id": 1, "qty": 2})
    metadata.drop_all(accord_engine)
    assert not any(_has(accord_engine, t.name) for t in (customer, order, line))


def test_checkfirst_skips_existing_and_missing_tables(accord_engine: Engine) -> None:
    metadata, customer, _order, line = _shop()
    customer.create(accord_engine)
    with accord_engine.begin() as conn:
        conn.execute(insert(customer), {"id": 1, "email": "kept@x"})
    metadata.create_all(accord_engine)  # checkfirst: customer exists and keeps its row
    with accord_engine.connect() as conn:
        assert conn.execute(select(customer.c.email)).scalars().all() == ["kept@x"]
    with pytest.raises(DBAPIError):
        metadata.create_all(accord_engine, checkfirst=False)
    line.drop(accord_engine)
    metadata.drop_all(accord_engine)  # checkfirst: the missing table is no error
    assert not _has(accord_engine, "ddl_customer")


def test_constraints_are_enforced_by_the_server(accord_engine: Engine) -> None:
    metadata, customer, order, line = _shop()
    metadata.create_all(accord_engine)
    with accord_engine.begin() as conn:
        conn.execute(insert(customer), {"id": 1, "email": "a@x"})
        conn.execute(insert(order), {"id": 1, "customer_id": 1})
        conn.execute(insert(line), {"id": 1, "order_id": 1, "qty": 1})
    for table, row in (
        (customer, {"id": 2, "email": "a@x"}),  # unique
        (order, {"id": 2, "customer_id": 99}),  # foreign key
        (order, {"id": 3, "customer_id": None}),  # not null
    ):
        with pytest.raises(IntegrityError), accord_engine.begin() as conn:
            conn.execute(insert(table), row)
    # ON DELETE CASCADE removes the lines with their order.
    with accord_engine.begin() as conn:
        conn.execute(order.delete().where(order.c.id == 1))
        assert conn.execute(select(line.c.id)).all() == []


def test_check_constraint_rejects_bad_rows(accord_engine: Engine) -> None:
    metadata, customer, order, line = _shop()
    metadata.create_all(accord_engine)
    with accord_engine.begin() as conn:
        conn.execute(insert(customer), {"id": 1, "email": "a@x"})
        conn.execute(insert(order), {"id": 1, "customer_id": 1})
    # MySQL before 8.0.16 parses CHECK and ignores it; MariaDB 10.2+ enforces it.
    with pytest.raises((IntegrityError, DBAPIError)), accord_engine.begin() as conn:
        conn.execute(insert(line), {"id": 1, "order_id": 1, "qty": 0})


def test_tables_referring_to_each_other_are_created_and_dropped(accord_engine: Engine) -> None:
    """A foreign-key cycle: ALTER TABLE adds (and first drops) the keys where the database
    has it, sqlite takes them inline; every key is enforced either way."""
    metadata = MetaData()
    person = Table(
        "ddl_person",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("desk_id", Integer, ForeignKey("ddl_desk.id", name="fk_ddl_person_desk")),
    )
    desk = Table(
        "ddl_desk",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("owner_id", Integer, ForeignKey("ddl_person.id", name="fk_ddl_desk_owner")),
    )
    metadata.create_all(accord_engine)
    with accord_engine.begin() as conn:
        conn.execute(insert(person), {"id": 1, "desk_id": None})
        conn.execute(insert(desk), {"id": 1, "owner_id": 1})
        conn.execute(person.update().values(desk_id=1))
    for table, row in ((desk, {"id": 2, "owner_id": 99}), (person, {"id": 2, "desk_id": 99})):
        with pytest.raises(IntegrityError), accord_engine.begin() as conn:
            conn.execute(insert(table), row)
    with accord_engine.begin() as conn:  # sqlite checks the rows DROP TABLE deletes
        conn.execute(person.update().values(desk_id=None))
        conn.execute(desk.delete())
        conn.execute(person.delete())
    metadata.drop_all(accord_engine)
    assert not _has(accord_engine, "ddl_person")
    assert not _has(accord_engine, "ddl_desk")
