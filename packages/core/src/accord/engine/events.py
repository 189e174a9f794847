"""Engine, connection, pool and dialect event families (ConnectionEvents, PoolEvents...)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.event import EventKey, Events

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["ConnectionEvents", "DialectEvents", "PoolEvents"]


def _engine_base() -> ModuleType | None:
    # Imported lazily: accord.engine.base imports this module, and resolving a target
    # happens only at listen() time.
    try:
        return importlib.import_module("accord.engine.base")
    except ImportError:  # pragma: no cover - only while the engine module is absent
        return None


def _is_engine_class(cls: type) -> bool:
    base = _engine_base()
    engine_cls = getattr(base, "Engine", None) if base is not None else None
    return isinstance(engine_cls, type) and issubclass(cls, engine_cls)


def _before_execute_passthrough(
    conn: Any, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any
) -> tuple[Any, Any, Any]:
    return clauseelement, multiparams, params


def _before_cursor_execute_passthrough(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    return statement, parameters


class ConnectionEvents(Events):
    """Events of Engine and Connection: statement execution, transactions, options.

    Listen on the ``Engine`` class (every engine), an Engine (its connections), or a
    Connection (that connection only).  Listeners on the ``Connection`` class are taken
    as listeners on the ``Engine`` class.  ``before_execute`` and ``before_cursor_execute``
    accept ``retval=True``: the listener then returns the (possibly replaced) arguments.
    """

    _subclasses_inherit = True
    _retval_events = {
        "before_execute": _before_execute_passthrough,
        "before_cursor_execute": _before_cursor_execute_passthrough,
    }

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        """Accept Engine/Connection classes and instances; Connection class -> Engine class."""
        if isinstance(target, type):
            base = _engine_base()
            conn_cls = getattr(base, "Connection", None) if base is not None else None
            engine_cls = getattr(base, "Engine", None) if base is not None else None
            if (
                isinstance(conn_cls, type)
                and isinstance(engine_cls, type)
                and issubclass(target, conn_cls)
            ):
                # Connections dispatch through their Engine's dispatch (a join), so a
                # class-level listener for all connections lives on the Engine class.
                return engine_cls
        return super()._accept_with(target, identifier)

    @classmethod
    def _listen(cls, event_key: EventKey, *, retval: bool = False, **kw: Any) -> None:
        """Reject ``retval=True`` on events whose listeners' return values are ignored."""
        if retval and event_key.identifier not in cls._retval_events:
            raise exc.ArgumentError(
                "Only the 'before_execute' and 'before_cursor_execute' engine event "
                f"listeners accept retval=True, not {event_key.identifier!r}"
            )
        # Everything else (propagate, once, insert, named...) is the base family's business.
        super()._listen(event_key, retval=retval, **kw)

    def before_execute(
        self,
        conn: Any,
        clauseelement: Any,
        multiparams: Any,
        params: Any,
        execution_options: Any,
    ) -> Any:
        """Before ``Connection.execute()`` runs a statement (or a driver SQL string).

        With ``retval=True`` return ``(clauseelement, multiparams, params)`` to replace them.
        """

    def after_execute(
        self,
        conn: Any,
        clauseelement: Any,
        multiparams: Any,
        params: Any,
        execution_options: Any,
        result: Any,
    ) -> None:
        """After ``Connection.execute()`` produced ``result``."""

    def before_cursor_execute(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> Any:
        """Just before the DBAPI cursor runs ``statement``.

        With ``retval=True`` return ``(statement, parameters)`` to replace them.
        """

    def after_cursor_execute(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        """Just after the DBAPI cursor ran ``statement``."""

    def handle_error(self, exception_context: Any) -> Any:
        """An error was raised during execution; may raise or return a replacement exception."""

    def engine_connect(self, conn: Any) -> None:
        """A new Connection was made by ``Engine.connect()``."""

    def set_connection_execution_options(self, conn: Any, opts: Any) -> None:
        """``Connection.execution_options()`` was called with ``opts``."""

    def set_engine_execution_options(self, engine: Any, opts: Any) -> None:
        """``Engine.execution_options()`` made a copy of the engine with ``opts``."""

    def engine_disposed(self, engine: Any) -> None:
        """``Engine.dispose()`` was called."""

    def begin(self, conn: Any) -> None:
        """A transaction began on ``conn``."""

    def rollback(self, conn: Any) -> None:
        """The transaction of ``conn`` is being rolled back."""

    def commit(self, conn: Any) -> None:
        """The transaction of ``conn`` is being committed."""

    def savepoint(self, conn: Any, name: str) -> None:
        """A SAVEPOINT named ``name`` is being created."""

    def rollback_savepoint(self, conn: Any, name: str, context: Any) -> None:
        """Rolling back to the SAVEPOINT ``name``."""

    def release_savepoint(self, conn: Any, name: str, context: Any) -> None:
        """Releasing the SAVEPOINT ``name``."""

    def begin_twophase(self, conn: Any, xid: Any) -> None:
        """A two-phase transaction ``xid`` began."""

    def prepare_twophase(self, conn: Any, xid: Any) -> None:
        """The two-phase transaction ``xid`` is being prepared."""

    def rollback_twophase(self, conn: Any, xid: Any, is_prepared: bool) -> None:
        """The two-phase transaction ``xid`` is being rolled back."""

    def commit_twophase(self, conn: Any, xid: Any, is_prepared: bool) -> None:
        """The two-phase transaction ``xid`` is being committed."""


class DialectEvents(Events):
    """Events that let a listener take over driver calls of a Dialect.

    Listen on a Dialect class or instance, or an Engine (its dialect).  The
    ``do_*`` listeners return ``True`` to say they ran the call themselves; the dialect
    then skips its own.
    """

    _subclasses_inherit = True

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        """Accept dialects; an Engine (class or instance) resolves to its dialect."""
        if not isinstance(target, type):
            dialect = getattr(target, "dialect", None)
            if dialect is not None and _is_engine_class(type(target)):
                return super()._accept_with(dialect, identifier)
        return super()._accept_with(target, identifier)

    def do_connect(self, dialect: Any, conn_rec: Any, cargs: list[Any], cparams: Any) -> Any:
        """Before the DBAPI ``connect()``; may edit cargs/cparams or return a connection."""

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any) -> Any:
        """In place of ``cursor.execute(statement, parameters)``; return True if done."""

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> Any:
        """In place of ``cursor.executemany(...)``; return True if done."""

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any) -> Any:
        """In place of ``cursor.execute(statement)``; return True if done."""

    def do_setinputsizes(
        self, inputsizes: Any, cursor: Any, statement: str, parameters: Any, context: Any
    ) -> None:
        """Before ``cursor.setinputsizes()``; may edit ``inputsizes`` in place."""


class PoolEvents(Events):
    """Events of a connection Pool: connections made, checked out and in, reset, closed.

    Listen on the ``Pool`` class (every pool), a pool, the ``Engine`` class (taken as the
    Pool class) or an Engine (its pool).  ``connection_record`` is the pool's record of
    the DBAPI connection (``.info``, ``.invalidate()``); ``connection_proxy`` the
    ``PoolProxiedConnection`` handed out.
    """

    _subclasses_inherit = True

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        """Accept pools; an Engine class means the Pool class, an Engine its ``pool``."""
        from accord.engine.pool import Pool  # lazy: pool.py imports this module

        if isinstance(target, type):
            if issubclass(target, Pool):
                return target
            if _is_engine_class(target):
                return Pool
            return None
        if isinstance(target, Pool):
            return target
        pool = getattr(target, "pool", None)
        if isinstance(pool, Pool) and _is_engine_class(type(target)):
            return pool
        return None

    def connect(self, dbapi_connection: Any, connection_record: Any) -> None:
        """A new DBAPI connection was opened by the pool."""

    def first_connect(self, dbapi_connection: Any, connection_record: Any) -> None:
        """The first DBAPI connection this pool opened (fires once per pool)."""

    def checkout(
        self, dbapi_connection: Any, connection_record: Any, connection_proxy: Any
    ) -> None:
        """A connection is being handed out; raise ``DisconnectionError`` to get another."""

    def checkin(self, dbapi_connection: Any, connection_record: Any) -> None:
        """A connection came back to the pool (``dbapi_connection`` is None if invalidated)."""

    def reset(self, dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        """A returned connection is being reset (rolled back) before check-in."""

    def invalidate(self, dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        """A connection is being invalidated and will be closed."""

    def soft_invalidate(
        self, dbapi_connection: Any, connection_record: Any, exception: Any
    ) -> None:
        """A connection was soft-invalidated: replaced at its next checkout."""

    def close(self, dbapi_connection: Any, connection_record: Any) -> None:
        """A DBAPI connection owned by the pool is being closed."""

    def detach(self, dbapi_connection: Any, connection_record: Any) -> None:
        """A connection is being detached from the pool (no longer pooled)."""

    def close_detached(self, dbapi_connection: Any) -> None:
        """A detached DBAPI connection is being closed."""
