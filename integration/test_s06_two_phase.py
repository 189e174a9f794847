"""S6 two-phase commit: prepare/commit, recovery of in-doubt transactions, twophase Sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import Column, Integer, MetaData, String, Table, insert, select
from accord.testing import provision
from accord.testing.backends import backend_url, connect_args_for, url_variable

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from accord.engine import Engine
    from accord.testing import Backend

pytestmark = pytest.mark.requires("two_phase")


@pytest.fixture
def ledger(accord_engine: Engine) -> Table:
    """A one-column table."""
    table = Table("tpc_ledger", MetaData(), Column("id", Integer, primary_key=True))
    table.create(accord_engine)
    return table


def _ids(engine: Engine, table: Table) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


def test_prepare_then_commit_makes_rows_durable(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    with accord_engine.connect() as conn:
        transaction = conn.begin_twophase(accord_backend.new_xid())
        conn.execute(insert(ledger), [{"id": 1}, {"id": 2}])
        transaction.prepare()
        assert _ids(accord_engine, ledger) == []  # prepared is not yet committed
        transaction.commit()
    assert _ids(accord_engine, ledger) == [1, 2]


def test_prepare_then_rollback_discards_rows(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    with accord_engine.connect() as conn:
        transaction = conn.begin_twophase(accord_backend.new_xid())
        conn.execute(insert(ledger), {"id": 1})
        transaction.prepare()
        transaction.rollback()
    assert _ids(accord_engine, ledger) == []


def test_recovered_transaction_can_be_committed_from_another_connection(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    xid = accord_backend.new_xid()
    conn = accord_engine.connect()
    transaction = conn.begin_twophase(xid)
    conn.execute(insert(ledger), {"id": 7})
    transaction.prepare()
    # The coordinator "crashes" here: its connection is gone, the branch is in doubt.
    conn.invalidate()
    conn.close()
    with accord_engine.connect() as other:
        assert xid in [str(x) for x in other.recover_twophase()]
        other.rollback()
        other.commit_prepared(xid, recover=True)
    assert _ids(accord_engine, ledger) == [7]
    with accord_engine.connect() as other:
        assert xid not in [str(x) for x in other.recover_twophase()]


def test_failure_between_prepare_and_commit_leaves_nothing_committed(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    xid = accord_backend.new_xid()
    conn = accord_engine.connect()
    transaction = conn.begin_twophase(xid)
    conn.execute(insert(ledger), [{"id": 1}, {"id": 2}])
    transaction.prepare()
    conn.invalidate()  # lost before the commit decision
    conn.close()
    assert _ids(accord_engine, ledger) == []
    with accord_engine.connect() as other:
        assert xid in [str(x) for x in other.recover_twophase()]
        other.rollback()
        other.rollback_prepared(xid, recover=True)
    assert _ids(accord_engine, ledger) == []
    with accord_engine.connect() as other:
        assert xid not in [str(x) for x in other.recover_twophase()]


# -- Session(twophase=True) across two databases ----------------------------------------


class _Base(DeclarativeBase):
    pass


class Customer(_Base):
    __tablename__ = "s06tp_customer"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))


class Invoice(_Base):
    __tablename__ = "s06tp_invoice"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int]


@pytest.fixture
def two(accord_engine: Engine, second_engine: Engine) -> Iterator[dict[str, Engine]]:
    """Customers in the worker's database, invoices in a second database.

    Afterwards any branch a failed test left prepared is rolled back (the Session's xids
    are its engines' own, which the per-worker cleanup does not recognise on MariaDB).
    """
    _Base.metadata.tables["s06tp_customer"].create(accord_engine)
    _Base.metadata.tables["s06tp_invoice"].create(second_engine)
    engines = {"first": accord_engine, "second": second_engine}
    began: dict[str, list[str]] = {name: [] for name in engines}
    for name, engine in engines.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: began[n].append(str(xid)))
    yield engines
    for name, engine in engines.items():
        left = [xid for xid in _in_doubt(engine) if xid in began[name]]
        with engine.connect() as conn:
            for xid in left:
                conn.rollback_prepared(xid, recover=True)


def _session(two: dict[str, Engine]) -> Session:
    return Session(binds={Customer: two["first"], Invoice: two["second"]}, twophase=True)


def _keys(engine: Engine, cls: Any) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(cls.id).order_by(cls.id)).scalars())


def _in_doubt(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        xids = [str(x) for x in conn.recover_twophase()]
        conn.rollback()
        return xids


def _record(two: dict[str, Engine], names: tuple[str, ...]) -> list[tuple[str, str]]:
    log: list[tuple[str, str]] = []
    for engine_name, engine in two.items():
        for event in names:
            listen(
                engine,
                event,
                lambda *args, e=event, n=engine_name: log.append((e, n)),
            )
    return log


def test_session_twophase_prepares_every_database_before_committing_any(
    two: dict[str, Engine],
) -> None:
    log = _record(two, ("prepare_twophase", "commit_twophase"))
    with _session(two) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()
        s.add(Invoice(id=10, total=5))
        s.commit()
    assert log == [
        ("prepare_twophase", "first"),
        ("prepare_twophase", "second"),
        ("commit_twophase", "first"),
        ("commit_twophase", "second"),
    ]
    assert _keys(two["first"], Customer) == [1]
    assert _keys(two["second"], Invoice) == [10]


def test_session_twophase_failed_prepare_rolls_back_everywhere(two: dict[str, Engine]) -> None:
    xids: dict[str, str] = {}
    for name, engine in two.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: xids.__setitem__(n, str(xid)))

    def refuse(conn: Any, xid: Any) -> None:
        raise RuntimeError("second database refuses to prepare")

    listen(two["second"], "prepare_twophase", refuse)
    with _session(two) as s:
        customer = Customer(id=1, name="ada")
        s.add(customer)
        s.flush()
        s.add(Invoice(id=10, total=5))
        with pytest.raises(RuntimeError, match="refuses to prepare"):
            s.commit()
        assert inspect(customer).transient  # the whole transaction was rolled back
        assert not s.in_transaction()
    assert _keys(two["first"], Customer) == []
    assert _keys(two["second"], Invoice) == []
    # the first database's prepared branch was rolled back too: nothing is in doubt
    assert xids["first"] not in _in_doubt(two["first"])
    assert xids["second"] not in _in_doubt(two["second"])


@pytest.mark.parametrize("failure", ["error", "connection lost"])
def test_session_twophase_failure_between_prepare_and_commit_commits_nothing(
    two: dict[str, Engine], failure: str
) -> None:
    xids: dict[str, str] = {}
    for name, engine in two.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: xids.__setitem__(n, str(xid)))

    def lost(conn: Any, xid: Any, is_prepared: bool) -> None:
        if failure == "error":
            raise RuntimeError("coordinator lost before the first commit")
        conn.invalidate()  # the first database's connection drops before COMMIT PREPARED

    listen(two["first"], "commit_twophase", lost)
    with _session(two) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()  # the first database joins first, so it would commit first
        s.add(Invoice(id=10, total=5))
        with pytest.raises((RuntimeError, exc.AccordError)):
            s.commit()
        s.rollback()
    # no database committed anything
    assert _keys(two["first"], Customer) == []
    assert _keys(two["second"], Invoice) == []
    # the second branch was rolled back; the first is prepared and in doubt
    assert xids["second"] not in _in_doubt(two["second"])
    assert xids["first"] in _in_doubt(two["first"])
    # settle it as a recovery tool would, so the next run starts clean
    with two["first"].connect() as conn:
        conn.rollback_prepared(xids["first"], recover=True)
    assert xids["first"] not in _in_doubt(two["first"])
    assert _keys(two["first"], Customer) == []


def test_session_prepare_then_commit_or_rollback(two: dict[str, Engine]) -> None:
    with _session(two) as s:
        s.add(Customer(id=1, name="ada"))
        s.add(Invoice(id=10, total=5))
        s.prepare()  # phase one on both databases, nothing committed yet
        assert _keys(two["first"], Customer) == []
        s.add(Customer(id=2, name="late"))
        with pytest.raises(exc.InvalidRequestError, match="'prepared' state"):
            s.flush()
        s.expunge(s.new[0])
        s.commit()
        s.add(Customer(id=3, name="undone"))
        s.add(Invoice(id=11, total=6))
        s.prepare()
        s.rollback()  # ROLLBACK PREPARED on both
    assert _keys(two["first"], Customer) == [1]
    assert _keys(two["second"], Invoice) == [10]


@pytest.mark.requires("savepoints")
def test_savepoints_inside_a_twophase_session(two: dict[str, Engine]) -> None:
    with _session(two) as s:
        s.add(Customer(id=1, name="kept"))
        s.add(Invoice(id=10, total=1))
        s.flush()
        savepoint = s.begin_nested()  # SAVEPOINT inside PREPARE TRANSACTION / XA branches
        s.add(Customer(id=2, name="rolled back"))
        s.add(Invoice(id=11, total=2))
        s.flush()
        savepoint.rollback()
        s.commit()
    assert _keys(two["first"], Customer) == [1]
    assert _keys(two["second"], Invoice) == [10]


@pytest.mark.parametrize("failure", ["error", "connection lost"])
def test_session_twophase_failure_at_the_second_commit_leaves_that_branch_in_doubt(
    two: dict[str, Engine], failure: str
) -> None:
    xids: dict[str, str] = {}
    for name, engine in two.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: xids.__setitem__(n, str(xid)))

    def lost(conn: Any, xid: Any, is_prepared: bool) -> None:
        if failure == "error":
            raise RuntimeError("coordinator lost after the first commit")
        conn.invalidate()

    listen(two["second"], "commit_twophase", lost)
    with _session(two) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()  # the first database joins first: it commits before the failure
        s.add(Invoice(id=10, total=5))
        with pytest.raises((RuntimeError, exc.AccordError)):
            s.commit()
        with pytest.raises(exc.PendingRollbackError, match="during commit"):
            s.execute(select(Customer))
        s.rollback()
    assert _keys(two["first"], Customer) == [1]
    assert _keys(two["second"], Invoice) == []  # prepared, not committed
    # every branch was prepared, so the decision was "commit": recovery finishes it
    assert xids["second"] in _in_doubt(two["second"])
    with two["second"].connect() as conn:
        conn.commit_prepared(xids["second"], recover=True)
    assert _keys(two["second"], Invoice) == [10]
    assert xids["second"] not in _in_doubt(two["second"])


def test_session_twophase_transaction_events_in_order(two: dict[str, Engine]) -> None:
    log = _record(two, ("begin_twophase", "prepare_twophase", "commit_twophase"))
    s = _session(two)
    for event in ("after_begin", "before_commit", "after_commit", "after_transaction_end"):

        def record(*args: Any, e: str = event) -> None:
            if e == "after_begin":
                log.append((e, "first" if args[2].engine is two["first"] else "second"))
            elif e != "after_transaction_end" or args[1].parent is None:
                log.append((e, "session"))

        listen(s, event, record)
    s.add_all([Customer(id=1, name="ada"), Invoice(id=10, total=5)])
    s.commit()
    s.close()
    assert log == [
        ("before_commit", "session"),
        ("begin_twophase", "first"),
        ("after_begin", "first"),
        ("begin_twophase", "second"),
        ("after_begin", "second"),
        ("prepare_twophase", "first"),
        ("prepare_twophase", "second"),
        ("commit_twophase", "first"),
        ("commit_twophase", "second"),
        ("after_commit", "session"),
        ("after_transaction_end", "session"),
    ]


# -- one two-phase Session over PostgreSQL and MariaDB at once ---------------------------

_OTHER_SERVER = {"postgresql": "mysql", "mysql": "postgresql"}


@pytest.fixture
def mixed(
    accord_backend: Backend, accord_engine: Engine, tmp_path: Path
) -> Iterator[dict[str, Engine]]:
    """Customers on this backend, invoices in a database on the other server.

    Runs for PostgreSQL (paired with MariaDB) and MariaDB (paired with PostgreSQL) when both
    URLs are set; the other server's database is the worker's name plus ``_x``.
    """
    other = _OTHER_SERVER.get(accord_backend.name)
    if other is None:
        pytest.skip(f"{accord_backend.name}: this test pairs PostgreSQL with MariaDB")
    entry = backend_url(other)
    if entry is None:
        pytest.skip(f"{other}: {url_variable(other)} is not set")
    worker = f"{accord_backend.worker}_x"
    url = provision.provision_database(entry, tmp_path, worker)
    far = create_engine(url, connect_args=connect_args_for(url.render_as_string(False)))
    engines = {"first": accord_engine, "second": far}
    began: dict[str, list[str]] = {name: [] for name in engines}
    for name, engine in engines.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: began[n].append(str(xid)))
    try:
        _Base.metadata.tables["s06tp_customer"].create(accord_engine)
        _Base.metadata.tables["s06tp_invoice"].create(far)
        yield engines
    finally:
        for name, engine in engines.items():
            left = [xid for xid in _in_doubt(engine) if xid in began[name]]
            with engine.connect() as conn:
                for xid in left:
                    conn.rollback_prepared(xid, recover=True)
        far.dispose()
        provision.drop_database(entry, url, worker)


def test_twophase_session_across_postgresql_and_mariadb(mixed: dict[str, Engine]) -> None:
    names = {n: e.dialect.name for n, e in mixed.items()}
    assert set(names.values()) == {"postgresql", "mysql"}
    log = _record(mixed, ("prepare_twophase", "commit_twophase"))
    with _session(mixed) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()
        s.add(Invoice(id=10, total=5))
        s.commit()
    assert log == [
        ("prepare_twophase", "first"),
        ("prepare_twophase", "second"),
        ("commit_twophase", "first"),
        ("commit_twophase", "second"),
    ]
    assert _keys(mixed["first"], Customer) == [1]
    assert _keys(mixed["second"], Invoice) == [10]


def test_failure_between_prepare_and_commit_across_servers_commits_nothing(
    mixed: dict[str, Engine],
) -> None:
    xids: dict[str, str] = {}
    for name, engine in mixed.items():
        listen(engine, "begin_twophase", lambda conn, xid, n=name: xids.__setitem__(n, str(xid)))

    def lost(conn: Any, xid: Any, is_prepared: bool) -> None:
        raise RuntimeError("coordinator lost before the first COMMIT PREPARED")

    listen(mixed["first"], "commit_twophase", lost)
    with _session(mixed) as s:
        s.add(Customer(id=1, name="ada"))
        s.flush()
        s.add(Invoice(id=10, total=5))
        with pytest.raises(RuntimeError, match="coordinator lost"):
            s.commit()
        s.rollback()
    # neither server committed anything; the first server's branch is in doubt
    assert _keys(mixed["first"], Customer) == []
    assert _keys(mixed["second"], Invoice) == []
    assert xids["first"] in _in_doubt(mixed["first"])
    assert xids["second"] not in _in_doubt(mixed["second"])
    with mixed["first"].connect() as conn:
        conn.rollback_prepared(xids["first"], recover=True)
    assert xids["first"] not in _in_doubt(mixed["first"])
    assert _keys(mixed["first"], Customer) == []
