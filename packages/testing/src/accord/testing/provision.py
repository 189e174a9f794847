"""Per-xdist-worker databases: create, empty and drop them, by dialect name.

Each worker works in ``accord_test_<PYTEST_XDIST_WORKER or main>`` (with
``ACCORD_TEST_RUN_ID`` set, ``accord_test_<run id>_<worker>``, so that several checkouts
can run their suites against one server at once): a database on
PostgreSQL and MySQL/MariaDB, a user (schema) on Oracle, a file in the worker's temp
folder on sqlite. The configured URL's database is only the entry point used to create
and drop it, so workers never see each other's rows.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from typing import TYPE_CHECKING

from accord.engine import URL, Connection, Engine, create_engine, make_url
from accord.exc import DBAPIError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "clean_database",
    "create_statements",
    "database_name",
    "drop_database",
    "drop_statements",
    "end_stuck_sessions",
    "new_xid",
    "provision_database",
    "run_id",
    "worker_id",
    "xid_prefix",
]

_xid_counter = itertools.count(1)


def worker_id() -> str:
    """``gw0``, ``gw1``... under pytest-xdist, ``main`` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def run_id() -> str:
    """``ACCORD_TEST_RUN_ID`` (letters, digits and ``_``), or ``""`` when unset."""
    value = os.environ.get("ACCORD_TEST_RUN_ID", "")
    if value and not value.replace("_", "").isalnum():
        raise ValueError(
            f"ACCORD_TEST_RUN_ID must hold only letters, digits and '_' (it becomes part of "
            f"a database name); got {value!r}"
        )
    return value.lower()


def database_name(worker: str | None = None) -> str:
    """The name of the worker's own database (or Oracle user)."""
    run = run_id()
    prefix = f"accord_test_{run}_" if run else "accord_test_"
    return f"{prefix}{worker or worker_id()}"


def xid_prefix(worker: str | None = None) -> str:
    """Two-phase xids of one worker start with this, so cleanup never touches others'."""
    return f"{database_name(worker)}_"


def new_xid(worker: str | None = None) -> str:
    """A two-phase transaction id unique in this run, recognised by this worker's cleanup."""
    return f"{xid_prefix(worker)}{os.getpid()}_{next(_xid_counter)}"


def _oracle_password(name: str) -> str:
    # Only ever a throwaway user on a test server; deterministic so a rerun can log in.
    return f"Accord_{name}_1"


def create_statements(dialect_name: str, name: str) -> list[str]:
    """The SQL that creates database ``name`` on a server of ``dialect_name``."""
    if dialect_name == "postgresql":
        return [f'CREATE DATABASE "{name}"']
    if dialect_name in ("mysql", "mariadb"):
        return [f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"]
    if dialect_name == "oracle":
        user = name.upper()
        return [
            f'CREATE USER {user} IDENTIFIED BY "{_oracle_password(name)}" '
            "QUOTA UNLIMITED ON USERS",
            f"GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE VIEW, "
            f"CREATE PROCEDURE, CREATE TRIGGER, FORCE TRANSACTION TO {user}",
        ]
    raise ValueError(f"accord-testing cannot create a database on {dialect_name!r}")


def drop_statements(
    dialect_name: str, name: str, server_version: tuple[int, ...] = ()
) -> list[str]:
    """The SQL that drops database ``name`` (and what is in it)."""
    if dialect_name == "postgresql":
        # WITH (FORCE) ends sessions a failed test left open (PostgreSQL 13+).
        force = " WITH (FORCE)" if server_version[:1] >= (13,) else ""
        return [f'DROP DATABASE IF EXISTS "{name}"{force}']
    if dialect_name in ("mysql", "mariadb"):
        return [f"DROP DATABASE IF EXISTS `{name}`"]
    if dialect_name == "oracle":
        return [f"DROP USER {name.upper()} CASCADE"]
    raise ValueError(f"accord-testing cannot drop a database on {dialect_name!r}")


def _admin(entry_url: str | URL) -> tuple[Connection, Engine]:
    engine = create_engine(entry_url, isolation_level="AUTOCOMMIT")
    return engine.connect(), engine


def _exists(conn: Connection, name: str) -> bool:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    elif dialect in ("mysql", "mariadb"):
        sql = f"SELECT 1 FROM information_schema.schemata WHERE schema_name = '{name}'"
    else:
        sql = f"SELECT 1 FROM all_users WHERE username = '{name.upper()}'"
    return conn.exec_driver_sql(sql).first() is not None


def worker_url(entry_url: str | URL, tmp_dir: Path, worker: str | None = None) -> URL:
    """The URL of the worker's database, reached with the entry URL's credentials."""
    name = database_name(worker)
    entry = make_url(entry_url)
    backend = entry.get_backend_name()
    if backend == "sqlite":
        return entry.set(database=str(tmp_dir / f"{name}.db"))
    if backend == "oracle":
        return entry.set(username=name.upper(), password=_oracle_password(name))
    return entry.set(database=name)


def provision_database(entry_url: str | URL, tmp_dir: Path, worker: str | None = None) -> URL:
    """Create the worker's database afresh (dropping one left by an aborted run)."""
    url = worker_url(entry_url, tmp_dir, worker)
    if make_url(entry_url).get_backend_name() == "sqlite":
        drop_database(entry_url, url)
        return url
    drop_database(entry_url, url, worker)
    conn, engine = _admin(entry_url)
    try:
        for statement in create_statements(conn.dialect.name, database_name(worker)):
            conn.exec_driver_sql(statement)
    finally:
        conn.close()
        engine.dispose()
    return url


def drop_database(entry_url: str | URL, url: URL, worker: str | None = None) -> None:
    """Drop the worker's database, first settling its prepared two-phase transactions."""
    if url.get_backend_name() == "sqlite":
        if url.database:
            for suffix in ("", "-journal", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(url.database + suffix)
        return
    name = database_name(worker)
    conn, engine = _admin(entry_url)
    try:
        if not _exists(conn, name):
            return
        # A prepared transaction holds locks (and on PostgreSQL blocks DROP DATABASE).
        _settle_twophase(url, worker)
        version = conn.dialect.server_version_info or ()
        if conn.dialect.name in _LOCK_TIMEOUT:
            conn.exec_driver_sql(_LOCK_TIMEOUT[conn.dialect.name])
        end_stuck_sessions(conn, name)
        for statement in drop_statements(conn.dialect.name, name, tuple(version)):
            conn.exec_driver_sql(statement)
    finally:
        conn.close()
        engine.dispose()


def _settle_twophase(url: URL, worker: str | None = None) -> None:
    """Roll back this worker's prepared transactions left by a test."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.dialect.supports_two_phase:
                return
            try:
                xids = conn.recover_twophase()
            except Exception:  # e.g. no privilege to list them: nothing we could settle
                return
            conn.rollback()
            prefix = xid_prefix(worker)
            for xid in xids:
                # MySQL lists the whole server's branches; PostgreSQL only this database's.
                if conn.dialect.name == "postgresql" or str(xid).startswith(prefix):
                    conn.rollback_prepared(xid, recover=True)
    finally:
        engine.dispose()


def _drop_everything_sql(conn: Connection) -> list[str]:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%'"
        ).all()
        return [f'DROP {kind.upper()} IF EXISTS "{name}"' for kind, name in rows]
    if dialect == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
            "AND nspname <> 'information_schema'"
        ).all()
        return [f'DROP SCHEMA "{name}" CASCADE' for (name,) in rows] + ["CREATE SCHEMA public"]
    if dialect in ("mysql", "mariadb"):
        rows = conn.exec_driver_sql("SHOW FULL TABLES").all()
        views = [f"DROP VIEW IF EXISTS `{name}`" for name, kind in rows if kind == "VIEW"]
        # DROP TABLE also drops MariaDB sequences.
        tables = [f"DROP TABLE IF EXISTS `{name}`" for name, kind in rows if kind != "VIEW"]
        return views + tables
    if dialect == "oracle":
        statements = [
            f'DROP VIEW "{name}"'
            for (name,) in conn.exec_driver_sql("SELECT view_name FROM user_views").all()
        ]
        statements += [
            f'DROP TABLE "{name}" CASCADE CONSTRAINTS PURGE'
            for (name,) in conn.exec_driver_sql("SELECT table_name FROM user_tables").all()
        ]
        # ISEQ$$_ sequences belong to identity columns: Oracle drops them with their
        # table and refuses a DROP SEQUENCE of its own (ORA-32794).
        rows = conn.exec_driver_sql(
            "SELECT sequence_name FROM user_sequences WHERE sequence_name NOT LIKE 'ISEQ$$%'"
        ).all()
        statements += [f'DROP SEQUENCE "{name}"' for (name,) in rows]
        return statements
    raise ValueError(f"accord-testing cannot clean a database on {dialect!r}")


_NO_FK_CHECKS: dict[str, tuple[str, str]] = {
    "sqlite": ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"),
    "mysql": ("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"),
    "mariadb": ("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"),
}

# A lock held by a connection a failed test left open must not stall the whole run.
_LOCK_TIMEOUT: dict[str, str] = {
    "postgresql": "SET lock_timeout = '20s'",
    "mysql": "SET SESSION lock_wait_timeout = 20",
    "mariadb": "SET SESSION lock_wait_timeout = 20",
}

# The first try of a cleanup statement waits for a lock only briefly: MySQL and MariaDB
# fill information_schema.innodb_trx from a cache refreshed at most every 0.1 s, so a
# transaction a test began just before the cleanup looked can be missed. A statement that
# times out looks again, ends what it finds and runs once more with the long timeout.
_SHORT_LOCK_TIMEOUT: dict[str, str] = {
    "postgresql": "SET lock_timeout = '3s'",
    "mysql": "SET SESSION lock_wait_timeout = 3",
    "mariadb": "SET SESSION lock_wait_timeout = 3",
}
_I_S_CACHE_SECONDS = 0.15


_PG_ONLY_PUBLIC = ['DROP SCHEMA "public" CASCADE', "CREATE SCHEMA public"]


# Sessions on a database that sit inside a transaction: they hold the locks that would
# stall DROP. Idle pooled sessions hold none and are left alone.
_STUCK_SESSIONS: dict[str, str] = {
    "postgresql": "SELECT pid FROM pg_stat_activity WHERE datname = '{db}' "
    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
    "mysql": "SELECT t.trx_mysql_thread_id FROM information_schema.innodb_trx t "
    "JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id "
    "WHERE p.db = '{db}' AND t.trx_mysql_thread_id <> CONNECTION_ID()",
}
# After a lock timeout, every other session on the worker's database is ended. MariaDB
# lists a transaction that has only read (holding a metadata lock, which is what stalls
# DROP TABLE) in innodb_trx only some of the time, so the query above can miss it. The
# worker's tests are over when cleanup runs, so no other session there is still needed.
_OTHER_SESSIONS: dict[str, str] = {
    "mysql": "SELECT id FROM information_schema.processlist "
    "WHERE db = '{db}' AND id <> CONNECTION_ID()",
}
_END_SESSION: dict[str, str] = {
    "postgresql": "SELECT pg_terminate_backend({id})",
    "mysql": "KILL {id}",
}


def end_stuck_sessions(conn: Connection, database: str, everyone: bool = False) -> int:
    """End sessions left inside a transaction on ``database`` (by a failed test); a count.

    With ``everyone=True`` (after a lock timeout) every other session on the database is
    ended where the backend cannot reliably tell which one holds the lock.
    """
    name = "mysql" if conn.dialect.name == "mariadb" else conn.dialect.name
    if name not in _STUCK_SESSIONS:
        return 0
    query = _STUCK_SESSIONS[name]
    if everyone:
        query = _OTHER_SESSIONS.get(name, query)
    try:
        ids = conn.exec_driver_sql(query.format(db=database)).scalars().all()
    except Exception:  # no privilege to see other sessions: locks will time out instead
        return 0
    ended = 0
    for session_id in ids:
        try:
            conn.exec_driver_sql(_END_SESSION[name].format(id=int(session_id)))
            ended += 1
        except Exception:  # it ended by itself in the meantime
            pass
    return ended


def _execute_ending_stuck(conn: Connection, statement: str, database: str) -> None:
    """Run a cleanup statement; if a lock stops it, end stuck sessions and run it again."""
    name = conn.dialect.name
    try:
        conn.exec_driver_sql(statement)
    except DBAPIError:
        if name not in _LOCK_TIMEOUT:
            raise
        time.sleep(_I_S_CACHE_SECONDS)
        end_stuck_sessions(conn, database, everyone=True)
        conn.exec_driver_sql(_LOCK_TIMEOUT[name])
        conn.exec_driver_sql(statement)


def clean_database(url: URL, worker: str | None = None) -> None:
    """Drop every table, view, sequence and schema in the worker's database."""
    _settle_twophase(url, worker)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            name = conn.dialect.name
            if name in _SHORT_LOCK_TIMEOUT:
                conn.exec_driver_sql(_SHORT_LOCK_TIMEOUT[name])
            database = database_name(worker)
            end_stuck_sessions(conn, database)
            statements = _drop_everything_sql(conn)
            if name == "postgresql" and statements == _PG_ONLY_PUBLIC:
                # Nothing but an empty public schema: skip the (slower) drop and create.
                empty = conn.exec_driver_sql(
                    "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' UNION ALL SELECT 1 FROM pg_type t "
                    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' "
                    "LIMIT 1"
                ).first()
                if empty is None:
                    return
            if not statements:
                return
            off_on = _NO_FK_CHECKS.get(name)
            if off_on:
                conn.exec_driver_sql(off_on[0])
            try:
                for statement in statements:
                    _execute_ending_stuck(conn, statement, database)
            finally:
                if off_on:
                    conn.exec_driver_sql(off_on[1])
    finally:
        engine.dispose()
