"""Per-worker databases: names under a worker id, the SQL per dialect, create and drop."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from accord.engine import create_engine
from accord.sql import text
from accord.testing import provision

if TYPE_CHECKING:
    from accord.testing import Backend


def test_names_follow_the_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_TEST_RUN_ID", raising=False)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    assert provision.worker_id() == "gw7"
    assert provision.database_name() == "accord_test_gw7"
    assert provision.new_xid().startswith("accord_test_gw7_")
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert provision.database_name() == "accord_test_main"


def test_a_run_id_keeps_two_checkouts_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("ACCORD_TEST_RUN_ID", "Alice_2")
    assert provision.database_name() == "accord_test_alice_2_gw1"
    assert provision.new_xid().startswith("accord_test_alice_2_gw1_")
    monkeypatch.setenv("ACCORD_TEST_RUN_ID", "x; DROP")
    with pytest.raises(ValueError, match="ACCORD_TEST_RUN_ID"):
        provision.database_name()


def test_xids_are_unique() -> None:
    assert len({provision.new_xid("gw0") for _ in range(50)}) == 50


def test_worker_urls_keep_the_entry_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCORD_TEST_RUN_ID", raising=False)
    pg = provision.worker_url(
        "postgresql+psycopg://u:pw@h:5433/entry?sslmode=disable", tmp_path, "gw1"
    )
    assert (pg.username, pg.password, pg.host, pg.port) == ("u", "pw", "h", 5433)
    assert pg.database == "accord_test_gw1"
    assert pg.query == {"sslmode": "disable"}
    my = provision.worker_url("mysql+pymysql://root@h/test", tmp_path, "gw0")
    assert my.database == "accord_test_gw0"
    ora = provision.worker_url(
        "oracle+oracledb://system:pw@h/?service_name=FREEPDB1", tmp_path, "gw2"
    )
    assert ora.username == "ACCORD_TEST_GW2"
    assert ora.password != "pw"
    assert ora.query == {"service_name": "FREEPDB1"}
    lite = provision.worker_url("sqlite://", tmp_path, "gw3")
    assert lite.database == str(tmp_path / "accord_test_gw3.db")


@pytest.mark.parametrize(
    ("dialect", "create", "drop"),
    [
        (
            "postgresql",
            'CREATE DATABASE "accord_test_gw4"',
            'DROP DATABASE IF EXISTS "accord_test_gw4"',
        ),
        (
            "mysql",
            "CREATE DATABASE `accord_test_gw4` CHARACTER SET utf8mb4",
            "DROP DATABASE IF EXISTS `accord_test_gw4`",
        ),
        (
            "oracle",
            "CREATE USER ACCORD_TEST_GW4 IDENTIFIED BY",
            "DROP USER ACCORD_TEST_GW4 CASCADE",
        ),
    ],
)
def test_statements_per_dialect(dialect: str, create: str, drop: str) -> None:
    assert provision.create_statements(dialect, "accord_test_gw4")[0].startswith(create)
    assert provision.drop_statements(dialect, "accord_test_gw4") == [drop]


def test_postgresql_13_drops_with_force() -> None:
    (statement,) = provision.drop_statements("postgresql", "accord_test_main", (16, 2))
    assert statement.endswith("WITH (FORCE)")


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot create a database on 'mssql'"):
        provision.create_statements("mssql", "x")


def test_sqlite_worker_file_is_created_lazily_and_dropped(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCORD_TEST_RUN_ID", raising=False)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw9")
    monkeypatch.delenv("ACCORD_TEST_SQLITE_URL", raising=False)
    pytester.makepyfile(
        """
        import os, pathlib

        seen = []

        def test_file(accord_backend, accord_engine):
            assert accord_backend.worker == "gw9"
            path = accord_backend.url.database
            assert path.endswith("accord_test_gw9.db")
            with accord_engine.connect():
                pass
            assert os.path.exists(path)
            pathlib.Path(os.environ["SEEN"]).write_text(path)
        """
    )
    seen = pytester.path / "seen.txt"
    monkeypatch.setenv("SEEN", str(seen))
    result = pytester.runpytest("--accord-backends=sqlite")
    result.assert_outcomes(passed=1)
    path = Path(seen.read_text())
    assert path.name == "accord_test_gw9.db"
    assert not path.exists()  # dropped at the end of the inner session


@pytest.mark.backend("postgresql", "mysql")
def test_server_database_is_created_per_worker_and_dropped_at_the_end(
    accord_backend: Backend, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fake worker id no real worker uses, so this inner run owns its database (under
    # the outer run's ACCORD_TEST_RUN_ID, if any, so parallel checkouts stay apart).
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "plugintest")
    name = provision.database_name()
    pytester.makepyfile(
        f"""
        from accord.sql import text

        def test_inside(accord_backend, accord_engine):
            assert accord_backend.url.database == "{name}"
            with accord_engine.connect() as conn:
                if accord_backend.name == "postgresql":
                    current = conn.execute(text("SELECT current_database()")).scalar_one()
                else:
                    current = conn.execute(text("SELECT DATABASE()")).scalar_one()
            assert current == "{name}"
        """
    )
    result = pytester.runpytest(f"--accord-backends={accord_backend.name}")
    result.assert_outcomes(passed=1)
    engine = create_engine(accord_backend.entry_url)
    try:
        with engine.connect() as conn:
            if accord_backend.name == "postgresql":
                sql = "SELECT 1 FROM pg_database WHERE datname = :name"
            else:
                sql = "SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"
            assert conn.execute(text(sql), {"name": name}).first() is None
    finally:
        engine.dispose()
