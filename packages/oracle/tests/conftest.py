"""Fixtures: the Oracle dialect, a compile helper, a fake oracledb connection, a server URL."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import oracledb
import pytest

from accord.dialects.oracle import OracleDialect_oracledb
from accord.engine import Engine, create_engine
from accord.engine.pool import StaticPool

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

URL_VARIABLE = "ACCORD_TEST_ORACLE_URL"


@pytest.fixture
def dialect() -> OracleDialect_oracledb:
    """A fresh Oracle dialect (no connection)."""
    return OracleDialect_oracledb()


@pytest.fixture
def sql(dialect: OracleDialect_oracledb) -> Callable[..., str]:
    """Compile a statement for Oracle and return its SQL text with whitespace collapsed."""

    def compile_(stmt: Any, **kw: Any) -> str:
        return " ".join(str(stmt.compile(dialect=dialect, **kw)).split())

    return compile_


class FakeVar:
    """A stand-in for ``oracledb.Var``: values per executemany iteration."""

    def __init__(self, type_: Any, arraysize: int = 1) -> None:
        self.type = type_
        self.arraysize = arraysize
        self.values: list[Any] = [None] * arraysize
        self.size = 0

    def getvalue(self, pos: int = 0) -> Any:
        return self.values[pos]


class FakeCursor:
    """Records statements; DML RETURNING fills out variables from ``connection.returning``."""

    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn
        self.description: Any = None
        self.rowcount = -1
        self.arraysize = 100
        self.rows: list[tuple[Any, ...]] = []
        self.input_sizes: dict[str, Any] = {}
        self.closed = False

    def var(self, type_: Any, size: int = 0, arraysize: int = 1, **kw: Any) -> FakeVar:
        var = FakeVar(type_, arraysize)
        var.size = size
        return var

    def setinputsizes(self, **kw: Any) -> None:
        self.input_sizes.update(kw)

    def _fill(self, params: dict[str, Any], pos: int) -> None:
        for var in {**self.input_sizes, **params}.values():
            if isinstance(var, FakeVar) and self.conn.returning:
                var.values[pos] = self.conn.returning.pop(0)

    def execute(self, statement: str, parameters: Any = None) -> None:
        self.conn.log.append(("execute", statement, parameters, dict(self.input_sizes)))
        if self.conn.fail is not None:
            err, self.conn.fail = self.conn.fail, None
            raise err
        self._fill(dict(parameters or {}), 0)
        if statement.lstrip().upper().startswith("SELECT"):
            self.rows = list(self.conn.results.pop(0)) if self.conn.results else []
            width = len(self.rows[0]) if self.rows else 1
            self.description = [
                (f"C{i}", None, None, None, None, None, True) for i in range(width)
            ]
            self.rowcount = 0
        else:
            self.description = None
            self.rowcount = 1

    def executemany(self, statement: str, seq: Any) -> None:
        seq = list(seq)
        self.conn.log.append(("executemany", statement, seq, dict(self.input_sizes)))
        for pos in range(len(seq)):
            self._fill({}, pos)
        self.description = None
        self.rowcount = len(seq)

    def fetchone(self) -> Any:
        return self.rows.pop(0) if self.rows else None

    def fetchmany(self, size: int = 1) -> list[Any]:
        out, self.rows = self.rows[:size], self.rows[size:]
        return out

    def fetchall(self) -> list[Any]:
        out, self.rows = self.rows, []
        return out

    def close(self) -> None:
        self.closed = True


class FakeXid:
    """A stand-in for ``oracledb.Xid``."""

    def __init__(self, format_id: int, gtrid: str, bqual: str) -> None:
        self.format_id = format_id
        self.global_transaction_id = gtrid
        self.branch_qualifier = bqual

    def __repr__(self) -> str:
        return f"FakeXid({self.format_id}, {self.global_transaction_id!r})"


class FakeConnection:
    """Enough of ``oracledb.Connection`` for the engine: cursors, transactions, tpc_*."""

    version = "23.4.0.24.5"

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []
        self.returning: list[Any] = []
        self.results: list[list[tuple[Any, ...]]] = []
        self.autocommit = False
        self.outputtypehandler: Any = None
        self.fail: BaseException | None = None
        self.prepare_result = True
        self.recovered: list[FakeXid] = []

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        self.log.append(("commit",))

    def rollback(self) -> None:
        self.log.append(("rollback",))

    def close(self) -> None:
        self.log.append(("close",))

    def ping(self) -> None:
        self.log.append(("ping",))

    def xid(self, format_id: int, gtrid: str, bqual: str) -> FakeXid:
        return FakeXid(format_id, gtrid, bqual)

    def tpc_begin(self, xid: Any) -> None:
        self.log.append(("tpc_begin", xid))

    def tpc_prepare(self) -> bool:
        self.log.append(("tpc_prepare",))
        return self.prepare_result

    def tpc_commit(self, xid: Any = None, one_phase: bool = False) -> None:
        self.log.append(("tpc_commit", xid, one_phase))

    def tpc_rollback(self, xid: Any = None) -> None:
        self.log.append(("tpc_rollback", xid))

    def tpc_recover(self) -> list[FakeXid]:
        return list(self.recovered)

    def statements(self) -> list[str]:
        return [" ".join(entry[1].split()) for entry in self.log if entry[0].startswith("exec")]


@pytest.fixture
def fake_connection() -> FakeConnection:
    """One fake python-oracledb connection."""
    return FakeConnection()


@pytest.fixture
def fake_engine(fake_connection: FakeConnection) -> Iterator[Engine]:
    """An Oracle engine whose only connection is ``fake_connection``."""
    engine = create_engine(
        "oracle+oracledb://scott:tiger@db.example:1521/?service_name=FREEPDB1",
        creator=lambda: fake_connection,
        poolclass=StaticPool,
    )
    yield engine
    engine.dispose()


@pytest.fixture
def oracle_url() -> str:
    """The real server's URL from ACCORD_TEST_ORACLE_URL, else the test is skipped."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(f"{URL_VARIABLE} is not set")
    return url


@pytest.fixture
def oracle_engine(oracle_url: str) -> Iterator[Engine]:
    """An engine on the real server; every table the test made is dropped afterwards."""
    engine = create_engine(oracle_url)
    yield engine
    engine.dispose()


__all__ = ["FakeConnection", "oracledb"]
