"""Core-layer workloads: executemany INSERT and SELECT of many rows on embedded sqlite."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Workload:
    """One benchmark: setup/run pairs for the raw driver, accord and (optionally) SQLAlchemy."""

    name: str
    raw_setup: Callable[[int], Any]
    raw_run: Callable[[Any], None]
    accord_setup: Callable[[int], Any]
    accord_run: Callable[[Any], None]
    sa_setup: Callable[[int], Any] | None = None
    sa_run: Callable[[Any], None] | None = None
    goal: float | None = None


DDL = "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(50), qty INTEGER, price FLOAT)"


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"name": f"item {i}", "qty": i % 97, "price": i * 0.25} for i in range(n)]


# -- raw sqlite3 -----------------------------------------------------------------------------


def _raw_db(n: int, filled: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(DDL)
    if filled:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO item (name, qty, price) VALUES (?, ?, ?)",
            [(r["name"], r["qty"], r["price"]) for r in _rows(n)],
        )
        conn.execute("COMMIT")
    return conn


def raw_insert_setup(n: int) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    return _raw_db(n, filled=False), _rows(n)


def raw_insert_run(fixture: tuple[sqlite3.Connection, list[dict[str, Any]]]) -> None:
    conn, rows = fixture
    conn.execute("BEGIN")
    # The raw driver gets the same dicts a user would hand to accord, in named style.
    conn.executemany("INSERT INTO item (name, qty, price) VALUES (:name, :qty, :price)", rows)
    conn.execute("COMMIT")


def raw_select_setup(n: int) -> sqlite3.Connection:
    return _raw_db(n, filled=True)


def raw_select_run(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT item.id, item.name, item.qty, item.price FROM item").fetchall()
    for row in rows:
        row[1]


# -- accord ----------------------------------------------------------------------------------


def _accord_db(n: int, filled: bool) -> tuple[Any, Any]:
    from accord.engine import create_engine
    from accord.sql import Column, Float, Integer, MetaData, String, Table, insert

    engine = create_engine("sqlite://")
    metadata = MetaData()
    table = Table(
        "item",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50)),
        Column("qty", Integer),
        Column("price", Float),
    )
    metadata.create_all(engine)
    if filled:
        with engine.begin() as conn:
            conn.execute(insert(table), _rows(n))
    return engine, table


def accord_insert_setup(n: int) -> tuple[Any, Any, list[dict[str, Any]]]:
    engine, table = _accord_db(n, filled=False)
    return engine, table, _rows(n)


def accord_insert_run(fixture: tuple[Any, Any, list[dict[str, Any]]]) -> None:
    from accord.sql import insert

    engine, table, rows = fixture
    with engine.begin() as conn:
        conn.execute(insert(table), rows)


def accord_select_setup(n: int) -> tuple[Any, Any]:
    return _accord_db(n, filled=True)


def accord_select_run(fixture: tuple[Any, Any]) -> None:
    from accord.sql import select

    engine, table = fixture
    with engine.connect() as conn:
        for row in conn.execute(select(table)).all():
            _ = row.name


# -- SQLAlchemy (optional) -------------------------------------------------------------------


def _sa_db(n: int, filled: bool) -> tuple[Any, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    table = sa.Table(
        "item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("qty", sa.Integer),
        sa.Column("price", sa.Float),
    )
    metadata.create_all(engine)
    if filled:
        with engine.begin() as conn:
            conn.execute(sa.insert(table), _rows(n))
    return engine, table


def sa_insert_setup(n: int) -> tuple[Any, Any, list[dict[str, Any]]]:
    engine, table = _sa_db(n, filled=False)
    return engine, table, _rows(n)


def sa_insert_run(fixture: tuple[Any, Any, list[dict[str, Any]]]) -> None:
    import sqlalchemy as sa

    engine, table, rows = fixture
    with engine.begin() as conn:
        conn.execute(sa.insert(table), rows)


def sa_select_setup(n: int) -> tuple[Any, Any]:
    return _sa_db(n, filled=True)


def sa_select_run(fixture: tuple[Any, Any]) -> None:
    import sqlalchemy as sa

    engine, table = fixture
    with engine.connect() as conn:
        for row in conn.execute(sa.select(table)).all():
            _ = row.name


WORKLOADS: list[Workload] = [
    Workload(
        "core_executemany_insert",
        raw_insert_setup,
        raw_insert_run,
        accord_insert_setup,
        accord_insert_run,
        sa_insert_setup,
        sa_insert_run,
        goal=1.3,
    ),
    Workload(
        "core_select_rows",
        raw_select_setup,
        raw_select_run,
        accord_select_setup,
        accord_select_run,
        sa_select_setup,
        sa_select_run,
        goal=1.5,
    ),
]
