"""Fixtures: a PostgreSQL database per xdist worker, reached through ACCORD_TEST_POSTGRESQL_URL."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from accord.engine import Engine, create_engine
from accord.engine.url import make_url
from accord.sql import MetaData

if TYPE_CHECKING:
    from collections.abc import Iterator

URL_VARIABLE = "ACCORD_TEST_POSTGRESQL_URL"


def _base_url() -> str:
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(f"{URL_VARIABLE} is not set: no PostgreSQL server to test against")
    return url


def _raw_kwargs(url: str, dbname: str | None = None) -> dict[str, Any]:
    u = make_url(url)
    kwargs: dict[str, Any] = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username,
        "dbname": dbname or u.database or "postgres",
        "autocommit": True,
        "connect_timeout": 10,
    }
    if u.password is not None:
        kwargs["password"] = u.password
    return kwargs


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of this worker's own database (created once, reused across runs)."""
    base = _base_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    run = os.environ.get("ACCORD_TEST_RUN_ID", "").lower()
    # with ACCORD_TEST_RUN_ID set, checkouts testing against one server at once stay apart
    dbname = f"accord_pg_{run}_{worker}" if run else f"accord_pg_{worker}"
    with psycopg.connect(**_raw_kwargs(base)) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if found is None:
            admin.execute(f'CREATE DATABASE "{dbname}"')
    return make_url(base).set(database=dbname).render_as_string(hide_password=False)


def _clean(url: str) -> None:
    """Drop what a test left behind: prepared transactions, tables, sequences, schemas."""
    u = make_url(url)
    with psycopg.connect(**_raw_kwargs(url, u.database)) as raw:
        for (gid,) in raw.execute(
            "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
        ).fetchall():
            raw.execute(f"ROLLBACK PREPARED '{gid}'")
        raw.execute("DROP SCHEMA IF EXISTS public CASCADE")
        raw.execute("DROP SCHEMA IF EXISTS accord_other CASCADE")
        raw.execute("CREATE SCHEMA public")


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    """An engine on the worker database; everything it created is dropped afterwards."""
    eng = create_engine(pg_url)
    try:
        yield eng
    finally:
        eng.dispose()
        _clean(pg_url)


@pytest.fixture
def metadata() -> MetaData:
    """A fresh MetaData."""
    return MetaData()


@pytest.fixture
def raw_connection(pg_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain psycopg connection (autocommit) to the worker database, for checks."""
    u = make_url(pg_url)
    with psycopg.connect(**_raw_kwargs(pg_url, u.database)) as conn:
        yield conn
