"""S13: each xdist worker works in its own database, so workers never see each other's rows."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from accord.sql import Column, Integer, MetaData, String, Table, insert, select, text

if TYPE_CHECKING:
    from accord.engine import Engine
    from accord.testing import Backend


def _current_database(backend: Backend, engine: Engine) -> str:
    queries = {
        "postgresql": "SELECT current_database()",
        "mysql": "SELECT DATABASE()",
        "oracle": "SELECT lower(user) FROM dual",
    }
    if backend.name == "sqlite":
        return os.path.basename(str(backend.url.database)).removesuffix(".db")
    with engine.connect() as conn:
        return str(conn.execute(text(queries[backend.name])).scalar_one())


def test_engine_works_in_the_workers_own_database(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER") or "main"
    run = os.environ.get("ACCORD_TEST_RUN_ID", "").lower()
    expected = f"accord_test_{run}_{worker}" if run else f"accord_test_{worker}"
    assert _current_database(accord_backend, accord_engine) == expected
    assert accord_backend.url != accord_backend.entry_url


def test_rows_written_here_are_this_workers_only(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    # Every worker runs this with the same table name and key; none collides with another.
    table = Table(
        "s13_marker",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("worker", String(40)),
    )
    table.create(accord_engine)
    worker = accord_backend.worker
    with accord_engine.begin() as conn:
        conn.execute(insert(table), {"id": 1, "worker": worker})
    with accord_engine.connect() as conn:
        assert conn.execute(select(table.c.worker)).scalars().all() == [worker]
