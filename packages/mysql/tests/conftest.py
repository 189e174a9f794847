"""Fixtures: dialects for compiled-SQL tests, and a per-xdist-worker database on a server.

Server tests need ``ACCORD_TEST_MYSQL_URL`` (e.g. ``mysql+pymysql://root@127.0.0.1/test``);
its database is only the entry point: each worker creates ``accord_my_<worker>`` and
works there, and every table is dropped after each test.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from accord.dialects.mysql import MySQLDialect_pymysql
from accord.engine import URL, Connection, Engine, create_engine, make_url

if TYPE_CHECKING:
    from collections.abc import Iterator

URL_VAR = "ACCORD_TEST_MYSQL_URL"


@pytest.fixture
def mariadb() -> MySQLDialect_pymysql:
    """A dialect compiling for MariaDB 10.11 (RETURNING for INSERT/DELETE)."""
    return MySQLDialect_pymysql(is_mariadb=True, server_version_info=(10, 11, 6))


@pytest.fixture
def mysql8() -> MySQLDialect_pymysql:
    """A dialect compiling for MySQL 8.0 (no RETURNING)."""
    return MySQLDialect_pymysql(is_mariadb=False, server_version_info=(8, 0, 36))


def worker_name() -> str:
    """``gw0``, ``gw1``... under xdist, ``main`` otherwise (after ``ACCORD_TEST_RUN_ID_``).

    With ``ACCORD_TEST_RUN_ID`` set, several checkouts testing against one server at once
    get databases and two-phase xids of their own.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    run = os.environ.get("ACCORD_TEST_RUN_ID", "").lower()
    return f"{run}_{worker}" if run else worker


@pytest.fixture(scope="session")
def server_url() -> Iterator[URL]:
    """The URL of this worker's own database (created here, dropped at the end)."""
    raw = os.environ.get(URL_VAR)
    if not raw:
        pytest.skip(f"{URL_VAR} is not set: no MySQL/MariaDB server to test against")
    entry = make_url(raw)
    name = f"accord_my_{worker_name()}"
    admin = create_engine(entry)
    with admin.connect() as conn:
        # Prepared XA branches left by an earlier, interrupted run would hold locks.
        _forget_xids(conn)
        conn.exec_driver_sql("SET SESSION lock_wait_timeout = 30")
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield entry.set(database=name)
    finally:
        with admin.connect() as conn:
            _forget_xids(conn)
            conn.exec_driver_sql("SET SESSION lock_wait_timeout = 30")
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


def _forget_xids(conn: Connection) -> None:
    prefix = xid_prefix()
    for xid in conn.recover_twophase():
        if str(xid).startswith(prefix):
            conn.rollback_prepared(xid, recover=True)
    conn.commit()


def xid_prefix() -> str:
    """Two-phase xids of this worker start with this, so cleanup never touches others'."""
    return f"accord_{worker_name()}_"


def _clean(engine: Engine) -> None:
    with engine.connect() as conn:
        # A lock left by a failed test must not stall the whole run.
        conn.exec_driver_sql("SET SESSION lock_wait_timeout = 10")
        _forget_xids(conn)
        tables = [r[0] for r in conn.exec_driver_sql("SHOW FULL TABLES").fetchall()]
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        for table in tables:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS `{table}`")
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        conn.commit()


@pytest.fixture
def engine(server_url: URL) -> Iterator[Engine]:
    """An engine on this worker's database; the database is emptied after the test."""
    eng = create_engine(server_url)
    try:
        yield eng
    finally:
        eng.dispose()
        cleaner = create_engine(server_url)
        try:
            _clean(cleaner)
        finally:
            cleaner.dispose()


@pytest.fixture
def make_engine(server_url: URL) -> Iterator[Any]:
    """A factory of extra engines on this worker's database (disposed after the test)."""
    made: list[Engine] = []

    def make(**kw: Any) -> Engine:
        eng = create_engine(server_url, **kw)
        made.append(eng)
        return eng

    try:
        yield make
    finally:
        for eng in made:
            eng.dispose()


@pytest.fixture
def xid() -> str:
    """A two-phase xid that the cleanup recognises as this worker's."""
    xid_seq[0] += 1
    return f"{xid_prefix()}{os.getpid()}_{xid_seq[0]}"


xid_seq = [0]
