"""PyMySQL driver glue: connect arguments, transactions, XA, isolation levels, disconnects.

Transactions begin implicitly: connections run with autocommit off, so the server opens
a transaction at the first statement and accord only sends COMMIT / ROLLBACK (and
SAVEPOINT statements). ``isolation_level="AUTOCOMMIT"`` switches the driver's
autocommit on instead.

``cursor.lastrowid`` gives the key of a single-row INSERT. After an executemany INSERT,
which PyMySQL rewrites into one multi-row ``INSERT ... VALUES (...), (...)``, it is the
key of the FIRST row of the last batch sent, so accord does not derive per-row keys
from it; use single-row inserts (or MariaDB's RETURNING) when every new key is needed.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.dialects.mysql.base import MySQLDialect, parse_server_version
from accord.engine.default import DefaultDialect, DefaultExecutionContext
from accord.engine.url import as_bool

if TYPE_CHECKING:
    from accord.engine.base import Connection
    from accord.engine.url import URL

__all__ = [
    "MariaDBDialect_pymysql",
    "MySQLDialect_pymysql",
    "dialect",
]

# Server / client error numbers that mean the connection is gone.
DISCONNECT_ERRNOS = frozenset(
    {
        2006,  # MySQL server has gone away
        2013,  # Lost connection to MySQL server during query
        2014,  # Commands out of sync
        2045,  # Can't open shared memory; no answer from server
        2055,  # Lost connection to MySQL server at '...', system error
        4031,  # The client was disconnected by the server because of inactivity
        1927,  # MariaDB: Connection was killed
    }
)

# URL query options and how to convert their text.
_INT_ARGS = frozenset(
    {
        "port",
        "connect_timeout",
        "read_timeout",
        "write_timeout",
        "client_flag",
        "max_allowed_packet",
    }
)
_BOOL_ARGS = frozenset(
    {
        "local_infile",
        "autocommit",
        "binary_prefix",
        "ssl_disabled",
        "ssl_verify_cert",
        "ssl_verify_identity",
    }
)
_STR_ARGS = frozenset(
    {
        "charset",
        "collation",
        "unix_socket",
        "init_command",
        "sql_mode",
        "read_default_file",
        "read_default_group",
        "program_name",
        "ssl_ca",
        "ssl_cert",
        "ssl_key",
        "ssl_key_password",
        "bind_address",
        "server_public_key",
    }
)
# A parameter placeholder in PyMySQL's styles (%s or %(name)s), not a doubled %%.
_PLACEHOLDER = re.compile(r"(?<!%)(?:%%)*%(?:s|\([^)]+\)s)")
_NEVER = re.compile(r"(?!)")

# The XA error a second XA END raises (the branch is already idle).
_XAER_RMFAIL = 1399


class MySQLDialect_pymysql(MySQLDialect, DefaultDialect):
    """MySQL and MariaDB through PyMySQL (``mysql+pymysql://user:pw@host/db``)."""

    name = "mysql"
    driver = "pymysql"
    # pyformat: executemany hands the caller's dicts to the driver, and PyMySQL can
    # rewrite an INSERT ... VALUES (%(a)s, ...) executemany into one multi-row INSERT.
    paramstyle = "pyformat"
    supports_statement_cache = True
    supports_server_side_cursors = False
    execution_ctx_cls = DefaultExecutionContext
    isolation_levels = frozenset(
        {"SERIALIZABLE", "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "AUTOCOMMIT"}
    )

    def __init__(
        self,
        is_mariadb: bool | None = None,
        server_version_info: tuple[int, ...] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        mariadb = type(self).is_mariadb if is_mariadb is None else is_mariadb
        version = server_version_info or ((10, 11) if mariadb else (8, 0))
        # Assumed until the first connection reports the real server (which then wins).
        self._set_server_facts(tuple(version), mariadb)

    @classmethod
    def import_dbapi(cls) -> Any:
        """The ``pymysql`` module."""
        import pymysql

        return pymysql

    # -- connecting ---------------------------------------------------------------------

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """``pymysql.connect()`` keywords from the URL: host, user, database and options.

        ``charset`` defaults to ``utf8mb4``; the FOUND_ROWS client flag is always set so
        that an UPDATE's rowcount counts matched rows (what the ORM's checks expect).
        """
        opts: dict[str, Any] = dict(
            url.translate_connect_args(username="user", database="database")
        )
        for key, value in url.query.items():
            if isinstance(value, tuple):
                raise exc.ArgumentError(f"MySQL URL option {key!r} was given more than once")
            if key in _INT_ARGS:
                try:
                    opts[key] = int(value)
                except ValueError:
                    raise exc.ArgumentError(
                        f"Invalid value {value!r} for MySQL URL option {key!r}: not an integer"
                    ) from None
            elif key in _BOOL_ARGS:
                opts[key] = as_bool(key, value, "MySQL")
            elif key in _STR_ARGS:
                opts[key] = value
            else:
                raise exc.ArgumentError(
                    f"Unknown MySQL URL option {key!r}; pass driver arguments with "
                    "create_engine(..., connect_args={...})"
                )
        opts.setdefault("charset", "utf8mb4")
        found_rows = self._client_flag_found_rows()
        opts["client_flag"] = opts.get("client_flag", 0) | found_rows
        return [], opts

    def _client_flag_found_rows(self) -> int:
        try:
            from pymysql.constants import CLIENT
        except ImportError:  # pragma: no cover - PyMySQL is a dependency
            return 2
        return int(CLIENT.FOUND_ROWS)

    def initialize(self, dbapi_connection: Any) -> None:
        """Learn the server's kind and version, default schema and isolation level."""
        version, is_mariadb = parse_server_version(dbapi_connection.get_server_info())
        self._check_server_kind(is_mariadb, version)
        self._set_server_facts(version, is_mariadb)
        row = self.dbapi_query(dbapi_connection, "SELECT DATABASE()")
        self.default_schema_name = row[0] if row else None
        super().initialize(dbapi_connection)
        # Leave no implicit transaction behind (XA START would refuse to run in one).
        dbapi_connection.rollback()

    def _check_server_kind(self, is_mariadb: bool, version: tuple[int, ...]) -> None:
        """The plain MySQL dialect serves both; the MariaDB one insists on MariaDB."""

    # -- execution ----------------------------------------------------------------------

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """``cursor.executemany``, which PyMySQL turns into multi-row INSERTs where it can.

        PyMySQL cannot rewrite an INSERT whose ``ON DUPLICATE KEY UPDATE`` part holds
        parameters (it would fail formatting it), so such a statement runs row by row.
        """
        match = self._insert_values_re().match(statement)
        if match is not None and _PLACEHOLDER.search(match.groups()[-1] or ""):
            total = 0
            for params in parameters:
                total += cursor.execute(statement, params) or 0
            cursor.rowcount = total
            return
        cursor.executemany(statement, parameters)

    def _insert_values_re(self) -> Any:
        cursors = getattr(self.dbapi, "cursors", None)
        return getattr(cursors, "RE_INSERT_VALUES", None) or _NEVER

    # -- transactions -------------------------------------------------------------------

    def do_ping(self, dbapi_connection: Any) -> bool:
        """``conn.ping(reconnect=False)``: a dead connection raises, never reconnects."""
        dbapi_connection.ping(reconnect=False)
        return True

    def _xid_sql(self, connection: Connection, sql: str, xid: Any) -> None:
        connection.exec_driver_sql(sql, (str(xid),))

    def do_begin_twophase(self, connection: Connection, xid: Any) -> None:
        """``XA START 'xid'``."""
        self._xid_sql(connection, "XA START %s", xid)

    def do_prepare_twophase(self, connection: Connection, xid: Any) -> None:
        """``XA END`` then ``XA PREPARE``."""
        self._xid_sql(connection, "XA END %s", xid)
        self._xid_sql(connection, "XA PREPARE %s", xid)

    def _is_current_xa(self, connection: Connection, xid: Any) -> bool:
        return bool(getattr(connection.get_transaction(), "xid", None) == xid)

    def _xa_from_outside(self, connection: Connection, statement: str, xid: Any) -> None:
        """Finish a prepared branch this session did not start (``recover=True``).

        MariaDB refuses ``XA COMMIT`` / ``XA ROLLBACK`` of another session's branch while
        autocommit is off (XAER_OUTSIDE), so autocommit is on for that one statement.
        Switching it on commits local work pending on this connection: recover on a
        connection of its own.
        """
        dbapi_connection = connection.connection.dbapi_connection
        previous = dbapi_connection.get_autocommit()
        cursor = dbapi_connection.cursor()
        try:
            dbapi_connection.autocommit(True)
            cursor.execute(statement, (str(xid),))
        except self.dbapi.Error as e:
            raise exc.DBAPIError.instance(
                statement,
                (str(xid),),
                e,
                self.dbapi.Error,
                connection_invalidated=self.is_disconnect(e, dbapi_connection, cursor),
            ) from e
        finally:
            with contextlib.suppress(Exception):
                cursor.close()
                dbapi_connection.autocommit(previous)

    def do_commit_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """``XA COMMIT 'xid'`` (``... ONE PHASE`` when it was never prepared)."""
        if not is_prepared:
            self._xid_sql(connection, "XA END %s", xid)
            self._xid_sql(connection, "XA COMMIT %s ONE PHASE", xid)
        elif recover or not self._is_current_xa(connection, xid):
            self._xa_from_outside(connection, "XA COMMIT %s", xid)
        else:
            self._xid_sql(connection, "XA COMMIT %s", xid)

    def do_rollback_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """``XA ROLLBACK 'xid'`` (after ``XA END`` when the branch is still active)."""
        if is_prepared and (recover or not self._is_current_xa(connection, xid)):
            self._xa_from_outside(connection, "XA ROLLBACK %s", xid)
            return
        if not is_prepared:
            try:
                self._xid_sql(connection, "XA END %s", xid)
            except exc.DBAPIError as e:
                # Already idle (an error ended it): the rollback below still applies.
                if _errno(e.orig) != _XAER_RMFAIL:
                    raise
        self._xid_sql(connection, "XA ROLLBACK %s", xid)

    def do_recover_twophase(self, connection: Connection) -> list[Any]:
        """The xids of prepared XA transactions (``XA RECOVER``)."""
        rows = connection.exec_driver_sql("XA RECOVER").fetchall()
        out = []
        for row in rows:
            gtrid_length, data = row[1], row[3]
            if isinstance(data, (bytes, bytearray)):
                data = bytes(data).decode("utf-8", "replace")
            out.append(data[:gtrid_length])
        return out

    # -- isolation ----------------------------------------------------------------------

    def _isolation_variable(self) -> str:
        # MySQL 8 dropped tx_isolation; MariaDB only gained the new name in 11.1.
        version = self.server_version_info or ()
        if self.is_mariadb:
            return "transaction_isolation" if version >= (11, 1) else "tx_isolation"
        return "tx_isolation" if version and version < (5, 7, 20) else "transaction_isolation"

    def _read_isolation(self, dbapi_connection: Any, scope: str) -> str:
        row = self.dbapi_query(dbapi_connection, f"SELECT @@{scope}.{self._isolation_variable()}")
        value = row[0]
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode()
        return str(value).upper().replace("-", " ")

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """AUTOCOMMIT when the driver autocommits, else the session's level."""
        if dbapi_connection.get_autocommit():
            return "AUTOCOMMIT"
        return self._read_isolation(dbapi_connection, "session")

    def get_default_isolation_level(self, dbapi_connection: Any) -> str:
        """The server's global level (what a new session starts with)."""
        return self._read_isolation(dbapi_connection, "global")

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """AUTOCOMMIT via ``conn.autocommit(True)``; others via SET SESSION TRANSACTION."""
        normal = self.check_isolation_level(level)
        if normal == "AUTOCOMMIT":
            dbapi_connection.autocommit(True)
            return
        dbapi_connection.autocommit(False)
        sql = f"SET SESSION TRANSACTION ISOLATION LEVEL {normal}"
        self.dbapi_query(dbapi_connection, sql, fetch=False)

    # -- introspection and health -------------------------------------------------------

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when a table or view ``table_name`` exists in ``schema`` (or the current one)."""
        if schema is None:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_name = %s"
            )
            params: tuple[str, ...] = (table_name,)
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s"
            )
            params = (schema, table_name)
        return connection.exec_driver_sql(sql, params).first() is not None

    def has_sequence(
        self, connection: Connection, sequence_name: str, schema: str | None = None
    ) -> bool:
        """True when a MariaDB sequence ``sequence_name`` exists."""
        if not self.supports_sequences:
            return False
        sql = (
            "SELECT 1 FROM information_schema.tables WHERE table_type = 'SEQUENCE' "
            "AND table_schema = COALESCE(%s, DATABASE()) AND table_name = %s"
        )
        return connection.exec_driver_sql(sql, (schema, sequence_name)).first() is not None

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True for errors meaning the server connection is gone (see DISCONNECT_ERRNOS)."""
        dbapi = self.dbapi
        if dbapi is None:
            return False
        if isinstance(e, (dbapi.OperationalError, dbapi.InternalError)):
            return _errno(e) in DISCONNECT_ERRNOS
        if isinstance(e, dbapi.InterfaceError):
            # PyMySQL raises InterfaceError(0, '') on a connection it has already closed.
            text = str(e)
            return _errno(e) == 0 or "(0, '')" in text or "closed" in text.lower()
        if isinstance(e, dbapi.Error):
            return "Already closed" in str(e)
        return False


def _errno(e: Any) -> int | None:
    args = getattr(e, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


class MariaDBDialect_pymysql(MySQLDialect_pymysql):
    """MariaDB through PyMySQL (``mariadb+pymysql://``): refuses to talk to MySQL."""

    name = "mariadb"
    is_mariadb = True

    def _check_server_kind(self, is_mariadb: bool, version: tuple[int, ...]) -> None:
        """A ``mariadb://`` URL pointing at a MySQL server is a configuration mistake."""
        if not is_mariadb:
            raise exc.InvalidRequestError(
                f"The server at this mariadb:// URL is MySQL {'.'.join(map(str, version))}, "
                "not MariaDB; use a mysql:// URL for it"
            )


dialect = MySQLDialect_pymysql
