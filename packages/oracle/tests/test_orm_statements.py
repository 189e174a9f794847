"""The SQL a Session flush and ORM queries emit on Oracle, run against a fake connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import String, delete, insert, select, update

if TYPE_CHECKING:
    from accord.engine import Engine

FakeConnection = Any  # conftest's fake python-oracledb connection


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


def _dml(fake_connection: FakeConnection) -> list[str]:
    return [
        s
        for s in fake_connection.statements()
        if s.split()[0] in ("INSERT", "UPDATE", "DELETE", "SELECT") and "DUAL" not in s
    ]


def test_flush_inserts_fetch_identity_keys_with_returning_into(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.returning = [[1], [2]]
    with Session(fake_engine) as session:
        a, b = Account(name="a"), Account(name="b")
        session.add_all([a, b])
        session.flush()
        assert (a.id, b.id) == (1, 2)
    # One executemany: Oracle's array DML returns one key per parameter set, in order.
    assert _dml(fake_connection) == [
        "INSERT INTO accounts (name, version) VALUES (:name, :version) "
        "RETURNING accounts.id INTO :out_1"
    ]


def test_flush_update_and_delete_check_the_version(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.returning = [[7]]
    with Session(fake_engine) as session:
        acct = Account(name="a")
        session.add(acct)
        session.flush()
        acct.name = "b"
        session.flush()
        session.delete(acct)
        session.flush()
    assert _dml(fake_connection)[1:] == [
        "UPDATE accounts SET name=:name, version=:version "
        "WHERE accounts.id = :pk_id AND accounts.version = :ver_version",
        "DELETE FROM accounts WHERE accounts.id = :pk_id AND accounts.version = :ver_version",
    ]


def test_orm_select_with_limit_uses_fetch_first(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.results = [[("SCOTT",)], [(1, "a", 1)]]
    with Session(fake_engine) as session:
        found = session.scalars(
            select(Account).where(Account.name == "a").order_by(Account.id).limit(1)
        ).one()
        assert found.name == "a"
    assert _dml(fake_connection) == [
        "SELECT accounts.id, accounts.name, accounts.version FROM accounts "
        "WHERE accounts.name = :name_1 ORDER BY accounts.id FETCH FIRST :param_1 ROWS ONLY"
    ]


def test_session_get_selects_by_primary_key(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.results = [[("SCOTT",)], [(5, "e", 1)]]
    with Session(fake_engine) as session:
        acct = session.get(Account, 5)
        assert acct is not None
        assert acct.name == "e"
    assert _dml(fake_connection) == [
        "SELECT accounts.id, accounts.name, accounts.version FROM accounts "
        "WHERE accounts.id = :pk_0"
    ]


def test_orm_bulk_statements_compile_for_oracle(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    with Session(fake_engine) as session:
        session.execute(insert(Account), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        session.execute(update(Account).where(Account.name == "a").values(name="z"))
        session.execute(delete(Account).where(Account.id > 1))
    statements = _dml(fake_connection)
    assert statements[0] == (
        "INSERT INTO accounts (id, name, version) VALUES (:id, :name, :version)"
    )
    assert statements[1] == "UPDATE accounts SET name=:name WHERE accounts.name = :name_1"
    assert statements[2] == "DELETE FROM accounts WHERE accounts.id > :id_1"


class Flag(Base):
    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[bool] = mapped_column(default=False)


def test_orm_select_where_mapped_boolean_attribute(
    fake_engine: Engine, fake_connection: FakeConnection
) -> None:
    fake_connection.results = [[("SCOTT",)], [(1, 1)]]
    with Session(fake_engine) as session:
        found = session.scalars(select(Flag).where(Flag.on, ~(Flag.id > 5))).one()
        assert found.on is True
    assert _dml(fake_connection) == [
        'SELECT flags.id, flags."on" FROM flags WHERE flags."on" = 1 AND flags.id <= :id_1'
    ]
