"""The engine, connection and cleanup fixtures, seen from a test suite using the plugin."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from accord.testing import Backend


@pytest.mark.usefixtures("no_servers")
def test_outer_transaction_is_rolled_back_after_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from accord.sql import Column, Integer, MetaData, Table, insert, select, func

        t = Table("kept", MetaData(), Column("id", Integer, primary_key=True))

        def test_a_create(accord_engine):
            t.create(accord_engine)

        def test_b_write(accord_connection_in_transaction):
            conn = accord_connection_in_transaction
            conn.execute(insert(t), [{"id": 1}, {"id": 2}])
            assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 2

        def test_c_nothing_was_committed(accord_connection):
            assert accord_connection.execute(select(func.count()).select_from(t)).scalar_one() == 0
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--accord-backends=sqlite")
    result.assert_outcomes(passed=3)


@pytest.mark.usefixtures("no_servers")
def test_clean_tables_drops_what_a_test_created(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from accord.sql import Column, ForeignKey, Integer, MetaData, Table

        def test_a_create(accord_engine, accord_clean_tables):
            m = MetaData()
            Table("parent", m, Column("id", Integer, primary_key=True))
            Table("child", m, Column("id", Integer, primary_key=True),
                  Column("pid", Integer, ForeignKey("parent.id")))
            m.create_all(accord_engine)

        def test_b_gone(accord_engine):
            with accord_engine.connect() as conn:
                assert not accord_engine.dialect.has_table(conn, "parent")
                assert not accord_engine.dialect.has_table(conn, "child")
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--accord-backends=sqlite")
    result.assert_outcomes(passed=2)


@pytest.mark.usefixtures("no_servers")
def test_without_clean_tables_rows_persist_within_the_session(pytester: pytest.Pytester) -> None:
    # The counterpart of the test above: the worker database lives for the whole session.
    pytester.makepyfile(
        """
        from accord.sql import Column, Integer, MetaData, Table

        def test_a_create(accord_engine):
            table = Table("stays", MetaData(), Column("id", Integer, primary_key=True))
            table.create(accord_engine)

        def test_b_still_there(accord_engine):
            with accord_engine.connect() as conn:
                assert accord_engine.dialect.has_table(conn, "stays")
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--accord-backends=sqlite")
    result.assert_outcomes(passed=2)


@pytest.mark.usefixtures("no_servers")
def test_backend_reports_capabilities_and_makes_engines(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_caps(accord_backend):
            assert accord_backend.has("savepoints")
            assert not accord_backend.has("two_phase")
            engine = accord_backend.create_engine(isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    assert conn.get_isolation_level() == "AUTOCOMMIT"
            finally:
                engine.dispose()
        """
    )
    result = pytester.runpytest("--accord-backends=sqlite")
    result.assert_outcomes(passed=1)


@pytest.mark.backend("postgresql", "mysql")
def test_cleanup_survives_a_connection_left_in_a_transaction(
    accord_backend: Backend, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "plugintest2")
    pytester.makepyfile(
        """
        from accord.sql import Column, Integer, MetaData, Table, select

        leaked = []

        def test_a_leaks(accord_engine, accord_clean_tables):
            table = Table("held", MetaData(), Column("id", Integer, primary_key=True))
            table.create(accord_engine)
            conn = accord_engine.connect()
            conn.begin()
            conn.execute(select(table)).all()  # holds a lock on "held" until it ends
            leaked.append((accord_engine, conn))
            accord_engine.dispose(close=False)  # the fixture cannot close it either

        def test_b_clean(accord_engine):
            with accord_engine.connect() as conn:
                assert not accord_engine.dialect.has_table(conn, "held")

        def test_c_release_the_leak():
            # Close the leaked driver connection here: left to the garbage collector it
            # would warn (an error under filterwarnings) in whatever test runs then.
            for _, conn in leaked:
                conn.invalidate()
        """
    )
    started = time.monotonic()
    result = pytester.runpytest("-p", "no:randomly", f"--accord-backends={accord_backend.name}")
    result.assert_outcomes(passed=3)
    assert time.monotonic() - started < 10  # not a lock timeout


@pytest.mark.usefixtures("no_servers")
def test_accord_session_commits_only_inside_the_outer_transaction(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from accord.orm import DeclarativeBase, Mapped, mapped_column
        from accord.sql import func, select

        class Base(DeclarativeBase):
            pass

        class Pet(Base):
            __tablename__ = "pet"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]

        def test_a_create(accord_engine):
            Base.metadata.create_all(accord_engine)

        def test_b_commit_and_rollback(accord_session):
            accord_session.add(Pet(name="kept"))
            accord_session.commit()
            accord_session.add(Pet(name="dropped"))
            accord_session.flush()
            accord_session.rollback()
            names = accord_session.scalars(select(Pet.name)).all()
            assert names == ["kept"]

        def test_c_nothing_was_committed(accord_connection):
            count = select(func.count()).select_from(Pet)
            assert accord_connection.execute(count).scalar_one() == 0
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--accord-backends=sqlite")
    result.assert_outcomes(passed=3)
