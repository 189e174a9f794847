"""The stdlib ``sqlite3`` driver glue: transactions, SAVEPOINT, foreign keys, URLs.

Connections are opened with ``isolation_level=None`` so that the driver never issues
its own BEGIN; accord emits BEGIN / COMMIT / ROLLBACK / SAVEPOINT itself, which is what
makes SAVEPOINT work. ``PRAGMA foreign_keys=ON`` runs on every new connection unless
the URL says ``?foreign_keys=off`` (or ``connect_args={"foreign_keys": False}``).

``sqlite://`` and ``sqlite:///:memory:`` give one in-memory database per engine, held
by a single DBAPI connection in a ``StaticPool`` (opened with
``check_same_thread=False``) so that every ``Connection`` of the engine sees the same
data. Threading caveat: that one connection is shared, so two threads using the engine
at the same time share one transaction; give each thread its own file database (or
serialise access) when that matters. File databases use a ``QueuePool``.
"""

from __future__ import annotations

import os
import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from accord.dialects.sqlite.base import SQLiteDialect
from accord.engine.default import DefaultDialect, DefaultExecutionContext
from accord.engine.url import as_bool
from accord.exc import ArgumentError

if TYPE_CHECKING:
    from accord.engine.base import Connection
    from accord.engine.url import URL

__all__ = ["SQLiteDialect_pysqlite"]

# Query keys that are sqlite3.connect() arguments, with their converters.
_CONNECT_ARGS: dict[str, Any] = {
    "timeout": float,
    "detect_types": int,
    "cached_statements": int,
    "check_same_thread": lambda v: as_bool("check_same_thread", v, "sqlite"),
    "uri": lambda v: as_bool("uri", v, "sqlite"),
    "foreign_keys": lambda v: as_bool("foreign_keys", v, "sqlite"),
}


class _PySQLiteConnection(sqlite3.Connection):
    """``sqlite3.Connection`` that can remember accord's per-connection state."""

    _accord_autocommit = False


def _is_memory(database: str | None, query: Any) -> bool:
    if not database or database == ":memory:":
        return True
    if database.startswith("file:"):
        return ":memory:" in database or query.get("mode") == "memory"
    return bool(query.get("mode") == "memory")


class SQLiteDialect_pysqlite(SQLiteDialect, DefaultDialect):
    """sqlite through the standard library's ``sqlite3`` module."""

    name = "sqlite"
    driver = "pysqlite"
    # Named style lets an executemany hand the caller's dicts to the driver unchanged.
    paramstyle = "named"
    supports_savepoints = True
    supports_two_phase = False
    supports_native_boolean = False
    supports_native_decimal = False
    supports_native_uuid = False
    supports_sequences = False
    supports_statement_cache = True
    supports_multivalues_insert = True
    insert_executemany_returning = False
    # new rowids ascend within one statement (one more than the largest so far)
    insert_multivalues_returning_ordered = True
    # sqlite finds each named parameter by a linear scan of the statement's names, so
    # binding costs grow with the square of the count: keep named statements small
    # (999, the smallest limit of any sqlite build, would do for positional ones)
    insertmanyvalues_max_parameters = 100
    postfetch_lastrowid = True
    # cursor.lastrowid gives the new integer key for free; RETURNING only on request.
    implicit_returning = False
    default_isolation_level: str | None = "SERIALIZABLE"
    default_schema_name = "main"
    execution_ctx_cls = DefaultExecutionContext
    isolation_levels = frozenset({"SERIALIZABLE", "READ UNCOMMITTED", "AUTOCOMMIT"})

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        version = getattr(self.dbapi or sqlite3, "sqlite_version_info", (0, 0, 0))
        self.server_version_info = tuple(version)
        returning = tuple(version) >= (3, 35)
        self.supports_returning = returning
        self.insert_returning = returning
        self.update_returning = returning
        self.delete_returning = returning

    @classmethod
    def import_dbapi(cls) -> Any:
        """The ``sqlite3`` module."""
        return sqlite3

    @classmethod
    def get_pool_class(cls, url: URL) -> Any:
        """``StaticPool`` (one shared connection) for memory databases, else ``QueuePool``."""
        from accord.engine.pool import QueuePool, StaticPool

        return StaticPool if _is_memory(url.database, url.query) else QueuePool

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """``sqlite3.connect()`` arguments: file path or URI, and connect options."""
        opts: dict[str, Any] = {}
        uri_params: list[tuple[str, str]] = []
        for key, value in url.query.items():
            if isinstance(value, tuple):
                raise ArgumentError(f"sqlite URL option {key!r} was given more than once")
            if key in _CONNECT_ARGS:
                try:
                    opts[key] = _CONNECT_ARGS[key](value)
                except ValueError:
                    raise ArgumentError(
                        f"Invalid value {value!r} for sqlite URL option {key!r}"
                    ) from None
            else:
                # Anything else (mode=ro, cache=shared, immutable=1...) is a URI parameter.
                uri_params.append((key, value))
        database = url.database or ":memory:"
        if url.host:
            raise ArgumentError(
                f"Invalid sqlite URL: unexpected host {url.host!r}; use sqlite:///relative.db "
                "or sqlite:////absolute/path.db"
            )
        if uri_params or database.startswith("file:"):
            opts["uri"] = True
            if not database.startswith("file:"):
                path = database if database == ":memory:" else os.path.abspath(database)
                database = "file:" + quote(path, safe="/:")
            if uri_params:
                sep = "&" if "?" in database else "?"
                database += sep + "&".join(f"{k}={quote(v)}" for k, v in uri_params)
        opts.setdefault("check_same_thread", False)
        return [database], opts

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open the connection in driver-autocommit mode and turn foreign keys on."""
        foreign_keys = cparams.pop("foreign_keys", True)
        cparams["isolation_level"] = None
        cparams.setdefault("factory", _PySQLiteConnection)
        conn = self.dbapi.connect(*cargs, **cparams)
        if foreign_keys:
            conn.execute("PRAGMA foreign_keys=ON")
        return conn

    # -- transactions -------------------------------------------------------------------

    def do_begin(self, dbapi_connection: Any) -> None:
        """Emit BEGIN ourselves (the driver never does with ``isolation_level=None``)."""
        if not getattr(dbapi_connection, "_accord_autocommit", False):
            dbapi_connection.execute("BEGIN")

    def do_commit(self, dbapi_connection: Any) -> None:
        """COMMIT when a transaction is open."""
        if dbapi_connection.in_transaction:
            dbapi_connection.execute("COMMIT")

    def do_rollback(self, dbapi_connection: Any) -> None:
        """ROLLBACK when a transaction is open."""
        if dbapi_connection.in_transaction:
            dbapi_connection.execute("ROLLBACK")

    def do_savepoint(self, connection: Connection, name: str) -> None:
        """``SAVEPOINT name``: works because the driver leaves transactions to us."""
        connection.exec_driver_sql(f"SAVEPOINT {self._quote(name)}")

    # -- isolation ----------------------------------------------------------------------

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """AUTOCOMMIT, READ UNCOMMITTED or SERIALIZABLE (from ``PRAGMA read_uncommitted``)."""
        if getattr(dbapi_connection, "_accord_autocommit", False):
            return "AUTOCOMMIT"
        row = self.dbapi_query(dbapi_connection, "PRAGMA read_uncommitted")
        return "READ UNCOMMITTED" if row and row[0] else "SERIALIZABLE"

    def get_default_isolation_level(self, dbapi_connection: Any) -> str:
        """sqlite's default is SERIALIZABLE."""
        return "SERIALIZABLE"

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """Switch between SERIALIZABLE, READ UNCOMMITTED and AUTOCOMMIT."""
        normal = self.check_isolation_level(level)
        autocommit = normal == "AUTOCOMMIT"
        try:
            dbapi_connection._accord_autocommit = autocommit
        except AttributeError:
            if autocommit:
                raise ArgumentError(
                    "AUTOCOMMIT needs accord's sqlite3 connection class; do not pass a "
                    "custom 'factory' in connect_args"
                ) from None
        if not autocommit:
            value = 1 if normal == "READ UNCOMMITTED" else 0
            dbapi_connection.execute(f"PRAGMA read_uncommitted = {value}")

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Back to the engine's level (or SERIALIZABLE)."""
        self.set_isolation_level(
            dbapi_connection,
            self.isolation_level or self.default_isolation_level or "SERIALIZABLE",
        )

    # -- introspection and health -------------------------------------------------------

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when a table or view called ``table_name`` exists."""
        master = f"{self._quote(schema)}.sqlite_master" if schema else "sqlite_master"
        row = connection.exec_driver_sql(
            f"SELECT name FROM {master} WHERE type IN ('table', 'view') AND name = :name",
            {"name": table_name},
        ).first()
        return row is not None

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True for errors meaning the sqlite connection is closed."""
        if isinstance(e, self.dbapi.ProgrammingError):
            text = str(e)
            return (
                "Cannot operate on a closed database" in text
                or "Base Connection.__init__ not called" in text
            )
        return False


dialect = SQLiteDialect_pysqlite
