"""python-oracledb (thin mode) driver glue: connect, RETURNING INTO, LOBs, two-phase, disconnects.

Thin mode only: accord never calls ``oracledb.init_oracle_client()``. Connections begin
transactions implicitly; ``AUTOCOMMIT`` maps to ``connection.autocommit``. Each new
connection gets an output type handler that fetches CLOB/BLOB values as ``str`` /
``bytes`` and scaled ``NUMBER`` columns as ``Decimal``, and its session time zone is
set to UTC so that ``DateTime(timezone=True)`` values round-trip.
"""

from __future__ import annotations

import contextlib
import decimal
import re
import weakref
from typing import TYPE_CHECKING, Any

import oracledb

from accord.engine.default import DefaultDialect, DefaultExecutionContext
from accord.exc import ArgumentError

from .base import OracleDialect

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from accord.engine.base import Connection
    from accord.engine.url import URL

__all__ = ["OracleDialect_oracledb", "OracleExecutionContext_oracledb", "dialect", "make_xid"]

# Error codes meaning the session is gone: driver (DPY/DPI) and server (ORA) ones.
_DISCONNECT_CODES = frozenset(
    {
        "DPY-1001",  # not connected to database
        "DPY-1010",  # not connected
        "DPY-1011",  # connection closed by peer
        "DPY-4011",  # the database or network closed the connection
        "DPY-6005",  # cannot connect
        "DPI-1010",  # not connected
        "DPI-1080",  # connection was closed by ORA-
        "ORA-00028",  # your session has been killed
        "ORA-01012",  # not logged on
        "ORA-01033",  # initialization or shutdown in progress
        "ORA-01034",  # not available
        "ORA-01089",  # immediate shutdown in progress
        "ORA-02396",  # exceeded maximum idle time
        "ORA-03113",  # end-of-file on communication channel
        "ORA-03114",  # not connected to ORACLE
        "ORA-03135",  # connection lost contact
        "ORA-12153",  # TNS: not connected
        "ORA-12537",  # TNS: connection closed
        "ORA-12547",  # TNS: lost contact
    }
)
_CODE = re.compile(r"\b(DPY|DPI|ORA)-(\d{4,5})\b")

# accord's format id for the XA xids it makes from its own string xids ("AC").
XID_FORMAT_ID = 0x4143
_BRANCH = "accord"


def make_xid(dbapi_connection: Any, xid: Any) -> Any:
    """An oracledb Xid for ``xid``: a (format_id, gtrid, bqual) triple, a string, or an Xid."""
    if isinstance(xid, tuple) and len(xid) == 3:
        return dbapi_connection.xid(*xid)
    if isinstance(xid, str):
        return dbapi_connection.xid(XID_FORMAT_ID, xid, _BRANCH)
    return xid


def _out_type(type_: Any) -> Any:
    """The oracledb type of the out variable that receives a RETURNING value of ``type_``."""
    visit = getattr(type_, "__visit_name__", "")
    if visit in ("integer", "small_integer", "big_integer", "boolean"):
        return int
    if visit in ("numeric", "NUMBER"):
        return decimal.Decimal if getattr(type_, "asdecimal", True) else float
    if visit in ("float", "BINARY_DOUBLE", "BINARY_FLOAT"):
        return float
    if visit in ("date", "DATE"):
        return oracledb.DB_TYPE_DATE
    if visit in ("datetime", "TIMESTAMP"):
        if getattr(type_, "timezone", False):
            return oracledb.DB_TYPE_TIMESTAMP_TZ
        return oracledb.DB_TYPE_TIMESTAMP
    if visit in ("time", "INTERVAL"):
        return oracledb.DB_TYPE_INTERVAL_DS
    if visit in ("text", "CLOB", "NCLOB", "json"):
        return oracledb.DB_TYPE_CLOB
    if visit in ("large_binary", "BLOB"):
        return oracledb.DB_TYPE_BLOB
    if visit in ("RAW",):
        return bytes
    if visit == "uuid":
        return bytes if getattr(type_, "native_uuid", True) else str
    return str


def _out_var(cursor: Any, type_: Any, arraysize: int = 1) -> Any:
    """An out variable for RETURNING values of ``type_`` (text and binary sized to the column)."""
    out = _out_type(type_)
    if out is str or out is bytes:
        # The column's length, else the largest VARCHAR2 / RAW a plain table column holds.
        size = getattr(type_, "length", None) or (4000 if out is str else 2000)
        return cursor.var(out, size, arraysize=arraysize)
    return cursor.var(out, arraysize=arraysize)


def _input_size(type_: Any) -> Any:
    """The bind type oracledb needs told for ``type_`` (None: its own guess is right)."""
    visit = getattr(type_, "__visit_name__", "")
    if visit in ("datetime", "TIMESTAMP"):
        # A datetime binds as DATE by default, which drops fractional seconds.
        if getattr(type_, "timezone", False):
            return oracledb.DB_TYPE_TIMESTAMP_TZ
        return oracledb.DB_TYPE_TIMESTAMP
    if visit in ("text", "CLOB", "json"):
        return oracledb.DB_TYPE_CLOB
    if visit == "NCLOB":
        return oracledb.DB_TYPE_NCLOB
    if visit in ("large_binary", "BLOB"):
        return oracledb.DB_TYPE_BLOB
    return None


def _read_lob(value: Any) -> Any:
    read = getattr(value, "read", None)
    return read() if read is not None else value


class _ReturnedRows:
    """The rows of ``RETURNING ... INTO`` out variables, shaped like a fetched cursor."""

    __slots__ = ("_rows", "description", "lastrowid", "rowcount")

    def __init__(self, description: Any, rows: list[tuple[Any, ...]]) -> None:
        self.description = description
        self._rows = rows
        self.rowcount = len(rows)
        self.lastrowid = None

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row, once."""
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        """Up to ``size`` rows."""
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> Any:
        """The next row or None."""
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        """Forget the rows."""
        self._rows = []


def _description(returning_binds: Sequence[tuple[str, Any]]) -> list[tuple[Any, ...]]:
    return [(name.upper(), None, None, None, None, None, True) for name, _ in returning_binds]


class OracleExecutionContext_oracledb(DefaultExecutionContext):
    """Execution on python-oracledb; RETURNING INTO out variables are handled by the dialect."""


class OracleDialect_oracledb(OracleDialect, DefaultDialect):
    """Oracle through python-oracledb in thin mode."""

    driver = "oracledb"
    paramstyle = "named"
    default_paramstyle = "named"
    supports_statement_cache = True
    execution_ctx_cls = OracleExecutionContext_oracledb
    engine_args = ("json_serializer", "json_deserializer", "arraysize")
    json_serializer: Callable[[Any], str] | None = None
    json_deserializer: Callable[[Any], Any] | None = None
    arraysize: int | None = None

    def __init__(
        self,
        json_serializer: Callable[[Any], str] | None = None,
        json_deserializer: Callable[[Any], Any] | None = None,
        arraysize: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.json_serializer = json_serializer
        self.json_deserializer = json_deserializer
        self.arraysize = arraysize
        # Isolation levels set through accord, per DBAPI connection (Oracle can't report
        # a session's level without privileges on V$ views).
        self.connection_levels: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self.prepared_xids: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()

    @classmethod
    def import_dbapi(cls) -> Any:
        """The ``oracledb`` module (thin mode; the Oracle Client is never loaded)."""
        return oracledb

    # -- connecting ---------------------------------------------------------------------

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """``oracledb.connect()`` keywords from ``oracle+oracledb://user:pw@host:port/...``.

        The path is a SID (``/XE``) unless ``?service_name=`` is given; other query
        options (``mode``, ``events``, ``tcp_connect_timeout``...) go to ``connect()``.
        A URL without a host passes ``dsn`` (a TNS alias or Easy Connect string) as the
        database part.
        """
        opts: dict[str, Any] = {}
        query = {k: v for k, v in url.query.items()}
        for key, value in query.items():
            if isinstance(value, tuple):
                raise ArgumentError(f"Oracle URL option {key!r} was given more than once")
        if url.username:
            opts["user"] = url.username
        if url.password is not None:
            opts["password"] = url.password
        if url.host:
            opts["host"] = url.host
            opts["port"] = url.port or 1521
            service = query.pop("service_name", None)
            sid = query.pop("sid", None)
            if service:
                opts["service_name"] = service
                if url.database:
                    raise ArgumentError(
                        "An Oracle URL takes a SID in its path or ?service_name=, not both"
                    )
            elif sid or url.database:
                opts["sid"] = sid or url.database
        elif url.database:
            opts["dsn"] = url.database
        for key, value in query.items():
            opts[key] = _coerce_option(key, str(value))
        return [], opts

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open a thin-mode connection (never ``init_oracle_client``)."""
        return oracledb.connect(*cargs, **cparams)

    def on_connect(self) -> Callable[[Any], None] | None:
        """Set up each new connection: LOB/Decimal fetching, UTC session zone, isolation."""
        level = self.isolation_level

        def setup(dbapi_connection: Any) -> None:
            dbapi_connection.outputtypehandler = self.output_type_handler
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("ALTER SESSION SET TIME_ZONE = 'UTC'")
            finally:
                cursor.close()
            if level is not None:
                self.set_isolation_level(dbapi_connection, level)

        return setup

    def output_type_handler(self, cursor: Any, metadata: Any) -> Any:
        """LOBs as ``str``/``bytes`` and scaled NUMBERs as ``Decimal``, per connection."""
        type_code = metadata.type_code
        size = cursor.arraysize
        if type_code is oracledb.DB_TYPE_CLOB:
            return cursor.var(oracledb.DB_TYPE_LONG, arraysize=size)
        if type_code is oracledb.DB_TYPE_NCLOB:
            return cursor.var(oracledb.DB_TYPE_LONG_NVARCHAR, arraysize=size)
        if type_code is oracledb.DB_TYPE_BLOB:
            return cursor.var(oracledb.DB_TYPE_LONG_RAW, arraysize=size)
        if type_code is oracledb.DB_TYPE_NUMBER:
            scale = metadata.scale or 0
            if scale > 0 and scale != 127:
                return cursor.var(decimal.Decimal, arraysize=size)
        return None

    def initialize(self, dbapi_connection: Any) -> None:
        """Learn the server version (identifier length), default schema and level."""
        version = getattr(dbapi_connection, "version", None) or ""
        parts = tuple(int(p) for p in str(version).split(".") if p.isdigit())
        self.server_version_info = parts or None
        if parts and parts < (12, 2):
            self.max_identifier_length = 30
        schema = self.dbapi_query(dbapi_connection, "SELECT USER FROM DUAL")
        if schema:
            self.default_schema_name = self.normalize_name(str(schema[0]))
        self.default_isolation_level = "READ COMMITTED"

    # -- execution ----------------------------------------------------------------------

    def input_sizes(self, compiled: Any) -> dict[str, Any]:
        """``setinputsizes`` keywords for a compiled statement (cached on it)."""
        sizes = getattr(compiled, "oracle_input_sizes", None)
        if sizes is None:
            sizes = {}
            renames = compiled.escaped_bind_names
            for name, bp in (getattr(compiled, "binds", None) or {}).items():
                size = _input_size(bp.type)
                if size is not None:
                    sizes[renames.get(name, name)] = size
            compiled.oracle_input_sizes = sizes
        return sizes

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """Execute once; RETURNING INTO values are read from out variables afterwards."""
        compiled = getattr(context, "compiled", None)
        if self.arraysize:
            cursor.arraysize = self.arraysize
        if compiled is None or not getattr(compiled, "is_sql", False):
            cursor.execute(statement, parameters)
            return
        sizes = self.input_sizes(compiled)
        if sizes:
            cursor.setinputsizes(**{k: v for k, v in sizes.items() if k in parameters})
        outs = getattr(compiled, "returning_binds", None)
        if not outs:
            cursor.execute(statement, parameters)
            return
        out_vars = {name: _out_var(cursor, type_) for name, type_ in outs}
        params = dict(parameters)
        params.update(out_vars)
        cursor.execute(statement, params)
        columns = [_returned_values(out_vars[name].getvalue()) for name, _ in outs]
        rows = list(zip(*columns, strict=True)) if columns else []
        cursor.close()
        context.cursor = _ReturnedRows(_description(outs), rows)

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """``executemany``; with RETURNING INTO, out variables hold one array per set."""
        compiled = getattr(context, "compiled", None)
        if compiled is None or not getattr(compiled, "is_sql", False):
            cursor.executemany(statement, parameters)
            return
        params = list(parameters)
        sizes = self.input_sizes(compiled)
        outs = getattr(compiled, "returning_binds", None)
        if not outs:
            if sizes and params:
                first = params[0]
                cursor.setinputsizes(**{k: v for k, v in sizes.items() if k in first})
            cursor.executemany(statement, params)
            return
        n = len(params)
        out_vars = {name: _out_var(cursor, type_, n) for name, type_ in outs}
        cursor.setinputsizes(**{**{k: v for k, v in sizes.items()}, **out_vars})
        cursor.executemany(statement, params)
        rows: list[tuple[Any, ...]] = []
        for i in range(n):
            columns = [_returned_values(out_vars[name].getvalue(i)) for name, _ in outs]
            rows.extend(zip(*columns, strict=True))
        cursor.close()
        context.cursor = _ReturnedRows(_description(outs), rows)

    # -- transactions -------------------------------------------------------------------

    def do_release_savepoint(self, connection: Connection, name: str) -> None:
        """Nothing: Oracle has no RELEASE SAVEPOINT (a savepoint lasts until the end)."""

    def do_ping(self, dbapi_connection: Any) -> bool:
        """``connection.ping()`` (one round trip, no statement)."""
        dbapi_connection.ping()
        return True

    def do_begin_twophase(self, connection: Connection, xid: Any) -> None:
        """``tpc_begin(xid)`` with an XA xid built from accord's xid."""
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.tpc_begin(make_xid(dbapi_connection, xid))

    def do_prepare_twophase(self, connection: Connection, xid: Any) -> None:
        """``tpc_prepare()``; a branch with nothing to commit needs no second phase."""
        dbapi_connection = connection.connection.dbapi_connection
        self.prepared_xids[dbapi_connection] = bool(dbapi_connection.tpc_prepare())

    def do_commit_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """``tpc_commit`` (one-phase when not prepared), or by xid for a recovered one."""
        dbapi_connection = connection.connection.dbapi_connection
        if recover:
            dbapi_connection.tpc_commit(make_xid(dbapi_connection, xid))
            return
        needed = self.prepared_xids.pop(dbapi_connection, None)
        if is_prepared and needed is False:
            # tpc_prepare() said the branch was read-only: it is already finished.
            return
        if is_prepared:
            dbapi_connection.tpc_commit()
        else:
            dbapi_connection.tpc_commit(one_phase=True)

    def do_rollback_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """``tpc_rollback``, by xid for a recovered transaction."""
        dbapi_connection = connection.connection.dbapi_connection
        if recover:
            dbapi_connection.tpc_rollback(make_xid(dbapi_connection, xid))
            return
        needed = self.prepared_xids.pop(dbapi_connection, None)
        if needed is False:
            return
        dbapi_connection.tpc_rollback()

    def do_recover_twophase(self, connection: Connection) -> list[Any]:
        """Prepared xids: accord's own as their strings, others as oracledb Xids."""
        dbapi_connection = connection.connection.dbapi_connection
        out: list[Any] = []
        for x in dbapi_connection.tpc_recover():
            gtrid = x.global_transaction_id
            if x.format_id == XID_FORMAT_ID:
                out.append(gtrid.decode() if isinstance(gtrid, bytes) else gtrid)
            else:
                out.append(x)
        return out

    # -- isolation ----------------------------------------------------------------------

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """``AUTOCOMMIT``, or the level accord set on this connection (else READ COMMITTED)."""
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        try:
            return self.connection_levels.get(dbapi_connection, "READ COMMITTED")
        except TypeError:  # a connection object without weak references
            return "READ COMMITTED"

    def get_default_isolation_level(self, dbapi_connection: Any) -> str:
        """Oracle sessions start in READ COMMITTED."""
        return "READ COMMITTED"

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """``AUTOCOMMIT`` via the driver; others with ``ALTER SESSION SET ISOLATION_LEVEL``."""
        normal = self.check_isolation_level(level)
        if normal == "AUTOCOMMIT":
            dbapi_connection.autocommit = True
            return
        dbapi_connection.autocommit = False
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"ALTER SESSION SET ISOLATION_LEVEL = {normal.replace(' ', '_')}")
        finally:
            cursor.close()
        with contextlib.suppress(TypeError):
            self.connection_levels[dbapi_connection] = normal

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Back to the engine's level, or READ COMMITTED."""
        self.set_isolation_level(dbapi_connection, self.isolation_level or "READ COMMITTED")

    # -- introspection and health -------------------------------------------------------

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when ALL_TABLES has the table (names compared as Oracle stores them)."""
        sql = "SELECT table_name FROM all_tables WHERE table_name = :name AND owner = "
        params: dict[str, Any] = {"name": self.denormalize_name(table_name)}
        if schema is None:
            sql += "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"
        else:
            sql += ":owner"
            params["owner"] = self.denormalize_name(schema)
        return connection.exec_driver_sql(sql, params).first() is not None

    def has_sequence(
        self, connection: Connection, sequence_name: str, schema: str | None = None
    ) -> bool:
        """True when ALL_SEQUENCES has the sequence."""
        sql = "SELECT sequence_name FROM all_sequences WHERE sequence_name = :name AND "
        params: dict[str, Any] = {"name": self.denormalize_name(sequence_name)}
        if schema is None:
            sql += "sequence_owner = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"
        else:
            sql += "sequence_owner = :owner"
            params["owner"] = self.denormalize_name(schema)
        return connection.exec_driver_sql(sql, params).first() is not None

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True when ``e`` carries a driver or server code meaning the session is gone."""
        if not isinstance(e, (oracledb.InterfaceError, oracledb.DatabaseError)):
            return False
        codes = set()
        for arg in getattr(e, "args", ()):
            full = getattr(arg, "full_code", None)
            if full:
                codes.add(str(full))
        codes.update(f"{m.group(1)}-{m.group(2)}" for m in _CODE.finditer(str(e)))
        return bool(codes & _DISCONNECT_CODES)


def _returned_values(value: Any) -> list[Any]:
    # A DML RETURNING variable holds a list of the values of every affected row.
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [_read_lob(v) for v in values]


_INT_OPTIONS = frozenset(
    {"tcp_connect_timeout", "expire_time", "retry_count", "retry_delay", "sdu", "stmtcachesize"}
)
_BOOL_OPTIONS = frozenset({"disable_oob", "ssl_server_dn_match", "events"})


def _coerce_option(key: str, value: str) -> Any:
    """URL query strings as the types ``oracledb.connect()`` expects for known options."""
    if key in _INT_OPTIONS:
        try:
            return float(value) if key == "tcp_connect_timeout" else int(value)
        except ValueError as err:
            raise ArgumentError(f"Oracle URL option {key}={value!r} is not a number") from err
    if key in _BOOL_OPTIONS:
        from accord.engine.url import as_bool

        return as_bool(key, value, "oracle")
    return value


dialect = OracleDialect_oracledb
