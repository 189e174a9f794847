"""psycopg 3 driver glue: connect arguments, transactions, two-phase, streaming, disconnects.

Connections are opened in psycopg's default non-autocommit mode, so psycopg sends
``BEGIN`` (with the connection's isolation level) before the first statement of a
transaction; accord only commits, rolls back and emits SAVEPOINT statements.
``AUTOCOMMIT`` maps to ``connection.autocommit``; the other levels to
``connection.isolation_level``. Parameters use psycopg's ``pyformat`` placeholders so
that an executemany can hand the caller's dicts to psycopg unchanged.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

import psycopg
import psycopg.types.json

from accord.engine.default import DefaultDialect, DefaultExecutionContext
from accord.exc import ArgumentError

from .base import PGDialect

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from accord.engine.base import Connection
    from accord.engine.url import URL

__all__ = ["PGDialect_psycopg", "PGExecutionContext_psycopg", "dialect"]

_IDLE = psycopg.pq.TransactionStatus.IDLE

# Fragments of the messages libpq and the server give when the session is gone.
_DISCONNECT_MESSAGES = (
    "terminating connection",
    "server closed the connection",
    "connection already closed",
    "the connection is closed",
    "the connection is lost",
    "connection not open",
    "connection is bad",
    "consuming input failed",
    "could not receive data from server",
    "could not send data to server",
    "ssl connection has been closed unexpectedly",
    "ssl syscall error",
    "connection timed out",
)

_STREAMABLE = re.compile(r"\s*(?:select|values|with|table)\b", re.IGNORECASE)
_cursor_names = itertools.count(1)


class _AccordCursor(psycopg.Cursor[Any]):
    """psycopg's cursor plus the PEP 249 ``lastrowid`` (always None on PostgreSQL)."""

    __slots__ = ()
    lastrowid = None


class _AccordConnection(psycopg.Connection[Any]):
    """psycopg's connection remembering the xid of an open two-phase transaction."""

    accord_xid: Any = None


class _ReturnedRows:
    """Rows gathered from every result set of ``executemany(..., returning=True)``."""

    __slots__ = ("_rows", "description", "lastrowid", "rowcount")

    def __init__(self, description: Any, rows: list[Any]) -> None:
        self.description = description
        self._rows = rows
        self.rowcount = len(rows)
        self.lastrowid = None

    def fetchall(self) -> list[Any]:
        """Every row, once."""
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int = 1) -> list[Any]:
        """Up to ``size`` rows."""
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> Any:
        """The next row or None."""
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        """Forget the rows."""
        self._rows = []


class PGExecutionContext_psycopg(DefaultExecutionContext):
    """Runs a streamed SELECT (``stream_results`` / ``yield_per``) on a server-side cursor."""

    def create_cursor(self) -> Any:
        """A named (server-side) cursor when streaming a SELECT, else psycopg's client cursor."""
        conn = self.dbapi_connection
        opts = self.execution_options
        if not (opts and (opts.get("stream_results") or opts.get("yield_per"))):
            return conn.cursor()
        if self.isinsert or self.isupdate or self.isdelete or self.isddl:
            return conn.cursor()
        if not _STREAMABLE.match(self.statement):
            return conn.cursor()
        named = conn.cursor(
            name=f"accord_c{next(_cursor_names)}",
            # Outside a transaction block a cursor must survive the implicit commit.
            withhold=bool(conn.autocommit),
        )
        size = opts.get("yield_per") or opts.get("max_row_buffer")
        if size:
            named.itersize = int(size)
        return named


def _as_xid(dbapi_connection: Any, xid: Any) -> Any:
    # A (format_id, gtrid, bqual) triple becomes an XA xid; strings and Xids pass.
    if isinstance(xid, tuple) and len(xid) == 3:
        return dbapi_connection.xid(*xid)
    return xid


class PGDialect_psycopg(PGDialect, DefaultDialect):
    """PostgreSQL through psycopg 3."""

    driver = "psycopg"
    paramstyle = "pyformat"
    default_paramstyle = "pyformat"
    supports_statement_cache = True
    supports_server_side_cursors = True
    execution_ctx_cls = PGExecutionContext_psycopg
    engine_args = ("json_serializer", "json_deserializer")
    json_serializer: Callable[[Any], str] | None = None
    json_deserializer: Callable[[Any], Any] | None = None

    def __init__(
        self,
        json_serializer: Callable[[Any], str] | None = None,
        json_deserializer: Callable[[Any], Any] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.json_serializer = json_serializer
        self.json_deserializer = json_deserializer

    @classmethod
    def import_dbapi(cls) -> Any:
        """The ``psycopg`` module."""
        return psycopg

    # -- connecting ---------------------------------------------------------------------

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """``psycopg.connect()`` keywords: host, port, user, password, dbname, URL query.

        Every query option is passed on as a libpq connection parameter (``sslmode``,
        ``application_name``, ``connect_timeout``, ``options``...); a repeated ``host``
        becomes libpq's comma-separated host list.
        """
        opts: dict[str, Any] = {}
        if url.host:
            opts["host"] = url.host
        if url.port is not None:
            opts["port"] = url.port
        if url.username:
            opts["user"] = url.username
        if url.password is not None:
            opts["password"] = url.password
        if url.database:
            opts["dbname"] = url.database
        for key, value in url.query.items():
            if isinstance(value, tuple):
                if key not in ("host", "port", "hostaddr"):
                    raise ArgumentError(f"PostgreSQL URL option {key!r} was given more than once")
                value = ",".join(value)
            opts[key] = value
        return [], opts

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open a non-autocommit psycopg connection with accord's cursor class."""
        cparams.setdefault("autocommit", False)
        cparams.setdefault("cursor_factory", _AccordCursor)
        return _AccordConnection.connect(*cargs, **cparams)

    def on_connect(self) -> Callable[[Any], None] | None:
        """Apply the engine's isolation level and JSON loader to each new connection."""
        level = self.isolation_level
        loads = self.json_deserializer
        if level is None and loads is None:
            return None

        def setup(dbapi_connection: Any) -> None:
            if loads is not None:
                psycopg.types.json.set_json_loads(loads, dbapi_connection)
            if level is not None:
                self.set_isolation_level(dbapi_connection, level)

        return setup

    def initialize(self, dbapi_connection: Any) -> None:
        """Learn the server version, default schema and default isolation level."""
        info = dbapi_connection.info
        version = info.server_version
        self.server_version_info = (version // 10000, version % 10000)
        schema, level = self._query_idle(
            dbapi_connection,
            "SELECT current_schema(), current_setting('default_transaction_isolation')",
        )
        if schema:
            self.default_schema_name = schema
        self.default_isolation_level = str(level).upper()

    def _query_idle(self, dbapi_connection: Any, sql: str) -> Sequence[Any]:
        """One row of ``sql``; a transaction begun only for it is rolled back."""
        was_idle = dbapi_connection.info.transaction_status == _IDLE
        row = self.dbapi_query(dbapi_connection, sql)
        if was_idle and not dbapi_connection.autocommit:
            dbapi_connection.rollback()
        return row  # type: ignore[no-any-return]

    # -- execution ----------------------------------------------------------------------

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """psycopg's pipelined executemany; with RETURNING, rows of every set are kept."""
        compiled = getattr(context, "compiled", None)
        if compiled is None or not getattr(compiled, "effective_returning", None):
            cursor.executemany(statement, parameters)
            return
        cursor.executemany(statement, parameters, returning=True)
        rows: list[Any] = []
        description = cursor.description
        while True:
            if cursor.description is not None:
                rows.extend(cursor.fetchall())
            if not cursor.nextset():
                break
        cursor.close()
        context.cursor = _ReturnedRows(description, rows)

    # -- transactions -------------------------------------------------------------------

    def do_rollback(self, dbapi_connection: Any) -> None:
        """Roll back; an unfinished two-phase transaction is rolled back as such."""
        if getattr(dbapi_connection, "accord_xid", None) is not None:
            dbapi_connection.accord_xid = None
            dbapi_connection.tpc_rollback()
            return
        dbapi_connection.rollback()

    def do_ping(self, dbapi_connection: Any) -> bool:
        """``SELECT 1`` without leaving a transaction open behind it."""
        if dbapi_connection.closed:
            raise psycopg.OperationalError("the connection is closed")
        self._query_idle(dbapi_connection, "SELECT 1")
        return True

    def do_begin_twophase(self, connection: Connection, xid: Any) -> None:
        """``tpc_begin(xid)``: the next statement begins the distributed transaction."""
        dbapi_connection = connection.connection.dbapi_connection
        xid = _as_xid(dbapi_connection, xid)
        dbapi_connection.tpc_begin(xid)
        dbapi_connection.accord_xid = xid

    def do_prepare_twophase(self, connection: Connection, xid: Any) -> None:
        """``tpc_prepare()`` (PREPARE TRANSACTION)."""
        connection.connection.dbapi_connection.tpc_prepare()

    def do_commit_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Commit our own two-phase transaction, or a prepared one by xid."""
        self._finish_twophase(connection, xid, recover, commit=True)

    def do_rollback_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Roll back our own two-phase transaction, or a prepared one by xid."""
        self._finish_twophase(connection, xid, recover, commit=False)

    def _finish_twophase(
        self, connection: Connection, xid: Any, recover: bool, commit: bool
    ) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        own = getattr(dbapi_connection, "accord_xid", None)
        xid = _as_xid(dbapi_connection, xid)
        if own is not None and not recover and (xid is None or str(xid) == str(own)):
            dbapi_connection.accord_xid = None
            if commit:
                dbapi_connection.tpc_commit()
            else:
                dbapi_connection.tpc_rollback()
            return
        if own is not None:
            raise ArgumentError(
                f"Can't finish prepared transaction {xid!r} while this connection is in "
                f"two-phase transaction {own!r}"
            )
        # COMMIT/ROLLBACK PREPARED can't run inside a transaction block.
        if dbapi_connection.info.transaction_status != _IDLE:
            dbapi_connection.rollback()
        if commit:
            dbapi_connection.tpc_commit(xid)
        else:
            dbapi_connection.tpc_rollback(xid)

    def do_recover_twophase(self, connection: Connection) -> list[Any]:
        """Prepared transactions of this database: plain ids as ``str``, XA ids as Xids."""
        dbapi_connection = connection.connection.dbapi_connection
        dbname = dbapi_connection.info.dbname
        return [
            x.gtrid if x.format_id is None else x
            for x in dbapi_connection.tpc_recover()
            if x.database == dbname
        ]

    # -- isolation ----------------------------------------------------------------------

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """``AUTOCOMMIT`` or the level the next transaction runs with."""
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        level = dbapi_connection.isolation_level
        if level is not None:
            return str(level.name).replace("_", " ")
        (value,) = self._query_idle(dbapi_connection, "SHOW transaction_isolation")
        return str(value).upper()

    def get_default_isolation_level(self, dbapi_connection: Any) -> str:
        """The server's ``default_transaction_isolation``."""
        (value,) = self._query_idle(dbapi_connection, "SHOW default_transaction_isolation")
        return str(value).upper()

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """``AUTOCOMMIT`` turns psycopg's autocommit on; other levels apply from next BEGIN."""
        normal = self.check_isolation_level(level)
        if normal == "AUTOCOMMIT":
            dbapi_connection.autocommit = True
            return
        dbapi_connection.autocommit = False
        dbapi_connection.isolation_level = psycopg.IsolationLevel[normal.replace(" ", "_")]

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Back to the engine's level, or to the server default."""
        if self.isolation_level is not None:
            self.set_isolation_level(dbapi_connection, self.isolation_level)
            return
        dbapi_connection.autocommit = False
        dbapi_connection.isolation_level = None

    # -- introspection and health -------------------------------------------------------

    def _has_relation(
        self, connection: Connection, name: str, schema: str | None, kinds: str
    ) -> bool:
        if schema is None:
            where = "pg_catalog.pg_table_is_visible(c.oid)"
            params: dict[str, Any] = {"name": name}
        else:
            where = "n.nspname = %(schema)s"
            params = {"name": name, "schema": schema}
        sql = (
            "SELECT c.relname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relname = %(name)s AND c.relkind IN ({kinds}) AND {where}"
        )
        return connection.exec_driver_sql(sql, params).first() is not None

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when a table, view or foreign table of that name is visible (search_path)."""
        return self._has_relation(connection, table_name, schema, "'r', 'p', 'v', 'm', 'f'")

    def has_sequence(
        self, connection: Connection, sequence_name: str, schema: str | None = None
    ) -> bool:
        """True when a sequence of that name is visible (or exists in ``schema``)."""
        return self._has_relation(connection, sequence_name, schema, "'S'")

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True when ``e`` means the session is gone (closed connection or lost server)."""
        if not isinstance(e, (psycopg.OperationalError, psycopg.InterfaceError)):
            return False
        if connection is not None and getattr(connection, "closed", False):
            return True
        text = str(e).lower()
        return any(fragment in text for fragment in _DISCONNECT_MESSAGES)


dialect = PGDialect_psycopg
