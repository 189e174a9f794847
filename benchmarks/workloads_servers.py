"""Core and Session workloads on PostgreSQL (psycopg) and MariaDB/MySQL (PyMySQL), when set.

The servers are found through ``ACCORD_TEST_POSTGRESQL_URL`` / ``ACCORD_TEST_MYSQL_URL``;
a backend without a URL contributes no workload. Each run recreates the table, so the
raw driver, accord and SQLAlchemy all start from the same empty (or filled) table.
"""

from __future__ import annotations

import os
from typing import Any

from workloads_core import Workload, _rows

TABLE = "bench_item"


def _raw_connect(backend: str, url: str) -> Any:
    from accord.engine import make_url

    u = make_url(url)
    if backend == "postgresql":
        import psycopg

        return psycopg.connect(
            host=u.host,
            port=u.port or 5432,
            user=u.username,
            password=u.password or None,
            dbname=u.database,
        )
    import pymysql

    return pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username,
        password=u.password or "",
        database=u.database,
    )


def _ddl(backend: str) -> list[str]:
    key = "SERIAL PRIMARY KEY" if backend == "postgresql" else "INTEGER AUTO_INCREMENT PRIMARY KEY"
    price = "DOUBLE PRECISION" if backend == "postgresql" else "DOUBLE"
    return [
        f"DROP TABLE IF EXISTS {TABLE}",
        f"CREATE TABLE {TABLE} (id {key}, name VARCHAR(50), qty INTEGER, price {price})",
    ]


def _reset(backend: str, url: str, n: int, filled: bool) -> None:
    conn = _raw_connect(backend, url)
    with conn.cursor() as cur:
        for stmt in _ddl(backend):
            cur.execute(stmt)
        if filled:
            cur.executemany(
                f"INSERT INTO {TABLE} (name, qty, price) VALUES (%(name)s, %(qty)s, %(price)s)",
                _rows(n),
            )
    conn.commit()
    conn.close()


def _server_workloads(backend: str, url: str) -> list[Workload]:
    insert_sql = f"INSERT INTO {TABLE} (name, qty, price) VALUES (%(name)s, %(qty)s, %(price)s)"

    def raw_insert_setup(n: int) -> tuple[Any, list[dict[str, Any]]]:
        _reset(backend, url, n, filled=False)
        return _raw_connect(backend, url), _rows(n)

    def raw_insert_run(fixture: tuple[Any, list[dict[str, Any]]]) -> None:
        conn, rows = fixture
        with conn.cursor() as cur:
            cur.executemany(insert_sql, rows)
        conn.commit()
        conn.close()

    def raw_select_setup(n: int) -> Any:
        _reset(backend, url, n, filled=True)
        return _raw_connect(backend, url)

    def raw_select_run(conn: Any) -> None:
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, name, qty, price FROM {TABLE}")
            for row in cur.fetchall():
                _ = row[1]
        conn.close()

    def _accord_table() -> tuple[Any, Any]:
        from accord.engine import create_engine
        from accord.sql import Column, Float, Integer, MetaData, String, Table

        table = Table(
            TABLE,
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("name", String(50)),
            Column("qty", Integer),
            Column("price", Float),
        )
        return create_engine(url), table

    def accord_insert_setup(n: int) -> tuple[Any, Any, list[dict[str, Any]]]:
        _reset(backend, url, n, filled=False)
        engine, table = _accord_table()
        return engine, table, _rows(n)

    def accord_insert_run(fixture: tuple[Any, Any, list[dict[str, Any]]]) -> None:
        from accord.sql import insert

        engine, table, rows = fixture
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
        engine.dispose()

    def accord_select_setup(n: int) -> tuple[Any, Any]:
        _reset(backend, url, n, filled=True)
        return _accord_table()

    def accord_select_run(fixture: tuple[Any, Any]) -> None:
        from accord.sql import select

        engine, table = fixture
        with engine.connect() as conn:
            for row in conn.execute(select(table)).all():
                _ = row.name
        engine.dispose()

    def _sa_table() -> tuple[Any, Any]:
        import sqlalchemy as sa

        table = sa.Table(
            TABLE,
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50)),
            sa.Column("qty", sa.Integer),
            sa.Column("price", sa.Float),
        )
        return sa.create_engine(url), table

    def sa_insert_setup(n: int) -> tuple[Any, Any, list[dict[str, Any]]]:
        _reset(backend, url, n, filled=False)
        engine, table = _sa_table()
        return engine, table, _rows(n)

    def sa_insert_run(fixture: tuple[Any, Any, list[dict[str, Any]]]) -> None:
        import sqlalchemy as sa

        engine, table, rows = fixture
        with engine.begin() as conn:
            conn.execute(sa.insert(table), rows)
        engine.dispose()

    def sa_select_setup(n: int) -> tuple[Any, Any]:
        _reset(backend, url, n, filled=True)
        return _sa_table()

    def sa_select_run(fixture: tuple[Any, Any]) -> None:
        import sqlalchemy as sa

        engine, table = fixture
        with engine.connect() as conn:
            for row in conn.execute(sa.select(table)).all():
                _ = row.name
        engine.dispose()

    return [
        Workload(
            f"{backend}_executemany_insert",
            raw_insert_setup,
            raw_insert_run,
            accord_insert_setup,
            accord_insert_run,
            sa_insert_setup,
            sa_insert_run,
            goal=1.5,
        ),
        Workload(
            f"{backend}_select_rows",
            raw_select_setup,
            raw_select_run,
            accord_select_setup,
            accord_select_run,
            sa_select_setup,
            sa_select_run,
            goal=1.5,
        ),
    ]


def _rows_with_ids(n: int) -> list[dict[str, Any]]:
    return [{"id": i + 1, **r} for i, r in enumerate(_rows(n))]


def _session_workloads(backend: str, url: str) -> list[Workload]:
    """Session flush and load of N objects against the raw driver doing the same rows."""
    insert_ids_sql = (
        f"INSERT INTO {TABLE} (id, name, qty, price) VALUES (%(id)s, %(name)s, %(qty)s, %(price)s)"
    )
    insert_sql = f"INSERT INTO {TABLE} (name, qty, price) VALUES (%(name)s, %(qty)s, %(price)s)"

    def raw_flush_setup(n: int, ids: bool = True) -> tuple[Any, list[dict[str, Any]]]:
        _reset(backend, url, n, filled=False)
        return _raw_connect(backend, url), _rows_with_ids(n) if ids else _rows(n)

    def raw_flush_run(fixture: tuple[Any, list[dict[str, Any]]]) -> None:
        conn, rows = fixture
        with conn.cursor() as cur:
            cur.executemany(insert_ids_sql, rows)
        conn.commit()
        conn.close()

    def raw_flush_keys_run(fixture: tuple[Any, list[dict[str, Any]]]) -> None:
        # the same rows with their generated keys read back, as the ORM needs them:
        # psycopg's executemany(returning=True); PyMySQL has only lastrowid per execute
        conn, rows = fixture
        keys: list[Any] = []
        with conn.cursor() as cur:
            if backend == "postgresql":
                cur.executemany(insert_sql + " RETURNING id", rows, returning=True)
                while True:
                    keys.extend(cur.fetchall())
                    if not cur.nextset():
                        break
            else:
                for row in rows:
                    cur.execute(insert_sql, row)
                    keys.append(cur.lastrowid)
        conn.commit()
        conn.close()

    def raw_load_setup(n: int) -> Any:
        _reset(backend, url, n, filled=True)
        return _raw_connect(backend, url)

    def raw_load_run(conn: Any) -> None:
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, name, qty, price FROM {TABLE}")
            for row in cur.fetchall():
                _ = row[1]
        conn.close()

    def _accord_model() -> tuple[Any, Any]:
        from accord.engine import create_engine
        from accord.orm import DeclarativeBase, mapped_column
        from accord.sql import Float, Integer, String

        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = TABLE

            id = mapped_column(Integer, primary_key=True)
            name = mapped_column(String(50))
            qty = mapped_column(Integer)
            price = mapped_column(Float)

        return create_engine(url), Item

    def accord_flush_setup(n: int, ids: bool = True) -> tuple[Any, list[Any]]:
        _reset(backend, url, n, filled=False)
        engine, item = _accord_model()
        return engine, [item(**r) for r in (_rows_with_ids(n) if ids else _rows(n))]

    def accord_flush_run(fixture: tuple[Any, list[Any]]) -> None:
        from accord.orm import Session

        engine, objects = fixture
        with Session(engine) as session:
            session.add_all(objects)
            session.commit()
        engine.dispose()

    def accord_load_setup(n: int) -> tuple[Any, Any]:
        _reset(backend, url, n, filled=True)
        return _accord_model()

    def accord_load_run(fixture: tuple[Any, Any]) -> None:
        from accord.orm import Session
        from accord.sql import select

        engine, item = fixture
        with Session(engine) as session:
            for obj in session.scalars(select(item)).all():
                _ = obj.name
        engine.dispose()

    def _sa_model() -> tuple[Any, Any]:
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase, mapped_column

        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = TABLE

            id = mapped_column(sa.Integer, primary_key=True)
            name = mapped_column(sa.String(50))
            qty = mapped_column(sa.Integer)
            price = mapped_column(sa.Float)

        return sa.create_engine(url), Item

    def sa_flush_setup(n: int, ids: bool = True) -> tuple[Any, list[Any]]:
        _reset(backend, url, n, filled=False)
        engine, item = _sa_model()
        return engine, [item(**r) for r in (_rows_with_ids(n) if ids else _rows(n))]

    def sa_flush_run(fixture: tuple[Any, list[Any]]) -> None:
        from sqlalchemy.orm import Session

        engine, objects = fixture
        with Session(engine) as session:
            session.add_all(objects)
            session.commit()
        engine.dispose()

    def sa_load_setup(n: int) -> tuple[Any, Any]:
        _reset(backend, url, n, filled=True)
        return _sa_model()

    def sa_load_run(fixture: tuple[Any, Any]) -> None:
        import sqlalchemy as sa
        from sqlalchemy.orm import Session

        engine, item = fixture
        with Session(engine) as session:
            for obj in session.scalars(sa.select(item)).all():
                _ = obj.name
        engine.dispose()

    return [
        Workload(
            f"{backend}_orm_flush_objects",
            raw_flush_setup,
            raw_flush_run,
            accord_flush_setup,
            accord_flush_run,
            sa_flush_setup,
            sa_flush_run,
            goal=1.5 if backend == "postgresql" else None,
        ),
        Workload(
            f"{backend}_orm_flush_db_keys",
            lambda n: raw_flush_setup(n, ids=False),
            raw_flush_keys_run,
            lambda n: accord_flush_setup(n, ids=False),
            accord_flush_run,
            lambda n: sa_flush_setup(n, ids=False),
            sa_flush_run,
        ),
        Workload(
            f"{backend}_orm_load_objects",
            raw_load_setup,
            raw_load_run,
            accord_load_setup,
            accord_load_run,
            sa_load_setup,
            sa_load_run,
        ),
    ]


def server_workloads() -> list[Workload]:
    """Workloads for every server whose URL is set in the environment."""
    found: list[Workload] = []
    for backend in ("postgresql", "mysql"):
        url = os.environ.get(f"ACCORD_TEST_{backend.upper()}_URL")
        if url:
            found.extend(_server_workloads(backend, url))
            found.extend(_session_workloads(backend, url))
    return found
