"""The dialect SPI: ``Dialect`` and ``ExecutionContext`` protocols and DBAPI typing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from accord.engine.base import Connection
    from accord.engine.result import CursorResult
    from accord.engine.row import Row
    from accord.engine.url import URL

__all__ = [
    "DBAPIConnection",
    "DBAPICursor",
    "DBAPIModule",
    "Dialect",
    "ExecutionContext",
    "IsolationLevel",
]

IsolationLevel = str
"""An isolation level name such as ``"SERIALIZABLE"`` or ``"AUTOCOMMIT"``."""

DBAPIParams = Sequence[Any] | Mapping[str, Any]


class DBAPICursor(Protocol):
    """The PEP 249 cursor methods accord uses."""

    description: Any
    rowcount: int
    lastrowid: Any

    def execute(self, operation: Any, parameters: Any = ..., /) -> Any:
        """Run one statement."""

    def executemany(self, operation: Any, seq_of_parameters: Any, /) -> Any:
        """Run one statement for each parameter set."""

    def fetchone(self) -> Any:
        """The next row or ``None``."""

    def fetchmany(self, size: int = ..., /) -> Sequence[Any]:
        """Up to ``size`` rows."""

    def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""

    def close(self) -> None:
        """Release the cursor."""


class DBAPIConnection(Protocol):
    """The PEP 249 connection methods accord uses."""

    def cursor(self) -> Any:
        """A new cursor."""

    def commit(self) -> None:
        """Commit the current transaction."""

    def rollback(self) -> None:
        """Roll back the current transaction."""

    def close(self) -> None:
        """Close the connection."""


class DBAPIModule(Protocol):
    """A PEP 249 driver module: ``connect()``, ``paramstyle`` and the exception classes."""

    paramstyle: str
    Error: type[Exception]

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        """Open a connection."""


class Dialect(Protocol):
    """What the engine needs from a dialect; ``DefaultDialect`` implements it."""

    name: str
    driver: str
    paramstyle: str
    positional: bool
    dbapi: Any
    supports_savepoints: bool
    supports_two_phase: bool
    supports_statement_cache: bool
    postfetch_lastrowid: bool
    default_isolation_level: str | None
    isolation_level: str | None
    execution_ctx_cls: type[Any]
    statement_compiler: ClassVar[type[Any]]
    ddl_compiler: ClassVar[type[Any]]

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments for the driver's ``connect()``."""

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open a DBAPI connection."""

    def on_connect(self) -> Any:
        """A callable run on each new DBAPI connection, or ``None``."""

    def initialize(self, dbapi_connection: Any) -> None:
        """Learn server facts on the first connection (version, default isolation)."""

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """Run ``statement`` with one parameter set."""

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """Run ``statement`` once per parameter set."""

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any) -> None:
        """Run ``statement`` without parameters."""

    def do_begin(self, dbapi_connection: Any) -> None:
        """Begin a transaction (a no-op for drivers that begin implicitly)."""

    def do_commit(self, dbapi_connection: Any) -> None:
        """Commit."""

    def do_rollback(self, dbapi_connection: Any) -> None:
        """Roll back."""

    def do_close(self, dbapi_connection: Any) -> None:
        """Close the DBAPI connection."""

    def do_ping(self, dbapi_connection: Any) -> bool:
        """True when the connection is usable."""

    def do_savepoint(self, connection: Connection, name: str) -> None:
        """Emit SAVEPOINT."""

    def do_rollback_to_savepoint(self, connection: Connection, name: str) -> None:
        """Emit ROLLBACK TO SAVEPOINT."""

    def do_release_savepoint(self, connection: Connection, name: str) -> None:
        """Emit RELEASE SAVEPOINT."""

    def do_begin_twophase(self, connection: Connection, xid: Any) -> None:
        """Begin a two-phase transaction."""

    def do_prepare_twophase(self, connection: Connection, xid: Any) -> None:
        """Prepare a two-phase transaction."""

    def do_commit_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Commit a two-phase transaction."""

    def do_rollback_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Roll back a two-phase transaction."""

    def do_recover_twophase(self, connection: Connection) -> list[Any]:
        """The xids of prepared transactions awaiting a decision."""

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True when ``e`` means the connection is gone."""

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """The connection's current isolation level."""

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """Change the connection's isolation level."""

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Put the connection back to the dialect's default level."""

    def get_driver_connection(self, connection: Any) -> Any:
        """The driver-level connection object behind a DBAPI connection."""

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when the table exists."""

    def type_descriptor(self, typeobj: Any) -> Any:
        """The dialect's implementation of a generic type."""


class ExecutionContext(Protocol):
    """Per-execution state shared by the connection, the dialect hooks and the result."""

    dialect: Dialect
    root_connection: Connection
    compiled: Any
    statement: str
    parameters: list[Any]
    compiled_parameters: list[dict[str, Any]]
    executemany: bool
    isinsert: bool
    isupdate: bool
    isdelete: bool
    isddl: bool
    is_text: bool
    cursor: Any
    execution_options: Mapping[str, Any]
    current_parameters: dict[str, Any] | None

    @property
    def inserted_primary_key_rows(self) -> list[Row]:
        """Primary key of each inserted row."""

    @property
    def returned_default_rows(self) -> list[Row] | None:
        """Server defaults returned per row, if asked for."""

    def get_current_parameters(self) -> dict[str, Any]:
        """The parameter set a Python-side default is being computed for."""

    def _setup_result(self) -> CursorResult[Any]:
        """Build the result after the cursor ran."""
