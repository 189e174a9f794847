"""``Engine`` and ``Connection``: statement execution, transactions and options."""

from __future__ import annotations

import contextlib
import logging
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from accord.engine.events import ConnectionEvents
from accord.engine.transaction import (
    NestedTransaction,
    RootTransaction,
    TwoPhaseTransaction,
)
from accord.engine.util import (
    ConnectionDispatcher,
    ExceptionContext,
    LRUCache,
    distill_params,
    distill_raw_params,
    ensure_echo_handler,
    execute_one_by_one,
    get_plan,
    log_rows,
    log_statement,
    merge_options,
    needs_one_by_one,
)
from accord.event import dispatcher
from accord.exc import (
    DBAPIError,
    InvalidRequestError,
    ObjectNotExecutableError,
    PendingRollbackError,
    ResourceClosedError,
    StatementError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from accord.engine.default import DefaultDialect, DefaultExecutionContext
    from accord.engine.result import CursorResult
    from accord.engine.url import URL

__all__ = ["Connection", "Engine", "OptionEngine"]

logger = logging.getLogger("accord.engine")

_EMPTY: Mapping[str, Any] = {}


class Connection:
    """One checked-out DBAPI connection with transaction control ("commit as you go").

    A statement run outside a transaction begins one automatically; ``commit()`` or
    ``rollback()`` ends it. Use as a context manager: leaving the block closes the
    connection (rolling back anything not committed). Not thread-safe.
    """

    dispatch = ConnectionDispatcher(ConnectionEvents)

    def __init__(self, engine: Engine, connection: Any = None) -> None:
        self.engine = engine
        self.dialect: DefaultDialect = engine.dialect
        self._dbapi_connection: Any = connection if connection is not None else engine._checkout()
        self._transaction: RootTransaction | None = None
        self._nested_transaction: NestedTransaction | None = None
        self._savepoint_seq = 0
        self._execution_options: Mapping[str, Any] = engine._execution_options
        self._closed = False
        self._invalidated = False
        self._reentrant_error = False
        # Decided once per connection: echo=True, or logging configured for INFO.
        self._echo = engine._echo or logger.isEnabledFor(logging.INFO)
        self._hide_parameters = engine.hide_parameters
        self._echo_rows = engine._echo_flag == "debug"  # echo="debug" logs rows too
        # The engine's listeners until one is added to this connection (see dispatch).
        self._events = engine.dispatch
        if self._events.engine_connect:
            self._events.engine_connect(self)

    # -- state --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._closed

    @property
    def invalidated(self) -> bool:
        """True after ``invalidate()`` until the connection reconnects."""
        return self._invalidated

    @property
    def connection(self) -> Any:
        """The pool's proxy of the DBAPI connection (reconnecting after invalidation)."""
        if self._dbapi_connection is None:
            return self._revalidate_connection()
        return self._dbapi_connection

    @property
    def info(self) -> dict[Any, Any]:
        """A dict that lives as long as the underlying DBAPI connection."""
        return self.connection.info  # type: ignore[no-any-return]

    @property
    def default_isolation_level(self) -> str | None:
        """The isolation level a new connection of this dialect starts with."""
        return self.dialect.default_isolation_level

    def get_isolation_level(self) -> str:
        """The isolation level currently in effect on the DBAPI connection."""
        return self.dialect.get_isolation_level(self.connection.dbapi_connection)

    def _revalidate_connection(self) -> Any:
        if self._closed:
            raise ResourceClosedError("This Connection is closed")
        if self._invalidated:
            if self._transaction is not None and self._transaction.is_active:
                raise PendingRollbackError(
                    "Can't reconnect until the invalid transaction is rolled back; call "
                    "rollback() first"
                )
            self._dbapi_connection = self.engine._checkout()
            self._invalidated = False
            return self._dbapi_connection
        raise ResourceClosedError("This Connection is closed")

    def execution_options(self, **opt: Any) -> Connection:
        """Set options on this connection (in place) and return it.

        ``isolation_level`` changes the DBAPI connection's level until the connection
        is returned to the pool. ``compiled_cache=None`` turns the statement cache off.
        """
        if "isolation_level" in opt:
            if self.in_transaction():
                raise InvalidRequestError(
                    "Cannot change isolation_level while a transaction is in progress; "
                    "commit or roll back first"
                )
            level = opt["isolation_level"]
            proxy = self.connection
            self.dialect.set_isolation_level(proxy.dbapi_connection, level)
            proxy.info["accord_reset_isolation"] = True
        merged = dict(self._execution_options)
        merged.update(opt)
        self._execution_options = merged
        if self._events.set_connection_execution_options:
            self._events.set_connection_execution_options(self, opt)
        return self

    def get_execution_options(self) -> Mapping[str, Any]:
        """The options in effect on this connection."""
        return self._execution_options

    # -- transactions -------------------------------------------------------------------

    def begin(self) -> RootTransaction:
        """Begin the root transaction explicitly (errors if one is already begun)."""
        if self._transaction is not None:
            raise InvalidRequestError(
                "This connection has already begun a transaction (possibly by autobegin); "
                "commit() or rollback() it first, or use begin_nested() for a savepoint"
            )
        return RootTransaction(self)

    def begin_nested(self) -> NestedTransaction:
        """Begin a SAVEPOINT (beginning the root transaction first if needed)."""
        if self._transaction is None:
            self._autobegin()
        return NestedTransaction(self)

    def begin_twophase(self, xid: Any = None) -> TwoPhaseTransaction:
        """Begin a two-phase transaction with ``xid`` (generated when not given)."""
        if self._transaction is not None:
            raise InvalidRequestError(
                "Cannot start a two-phase transaction while a transaction is in progress"
            )
        if xid is None:
            xid = self.engine._create_xid()
        return TwoPhaseTransaction(self, xid)

    def recover_twophase(self) -> list[Any]:
        """The xids of prepared two-phase transactions awaiting commit or rollback."""
        return self.dialect.do_recover_twophase(self)

    def commit_prepared(self, xid: Any, recover: bool = False) -> None:
        """Commit a prepared two-phase transaction by xid."""
        self.dialect.do_commit_twophase(self, xid, recover=recover)

    def rollback_prepared(self, xid: Any, recover: bool = False) -> None:
        """Roll back a prepared two-phase transaction by xid."""
        self.dialect.do_rollback_twophase(self, xid, recover=recover)

    def commit(self) -> None:
        """Commit the current transaction, if any (savepoints inside are released)."""
        if self._transaction is not None:
            self._transaction.commit()

    def rollback(self) -> None:
        """Roll back the current transaction, if any."""
        if self._transaction is not None:
            self._transaction.rollback()

    def in_transaction(self) -> bool:
        """True while a transaction (explicit or autobegun) is in progress."""
        return self._transaction is not None and self._transaction.is_active

    def in_nested_transaction(self) -> bool:
        """True while a SAVEPOINT is in progress."""
        return self._nested_transaction is not None and self._nested_transaction.is_active

    def get_transaction(self) -> RootTransaction | None:
        """The current root transaction, or ``None``."""
        return self._transaction

    def get_nested_transaction(self) -> NestedTransaction | None:
        """The innermost SAVEPOINT transaction, or ``None``."""
        return self._nested_transaction

    def _autobegin(self) -> None:
        if self._closed:
            raise ResourceClosedError("This Connection is closed")
        RootTransaction(self)

    def _begin_impl(self, transaction: RootTransaction) -> None:
        if isinstance(transaction, TwoPhaseTransaction):
            self._begin_twophase_impl(transaction)
            return
        if self._echo:
            self._log("BEGIN (implicit)")
        if self._events.begin:
            self._events.begin(self)
        try:
            self.dialect.do_begin(self.connection.dbapi_connection)
        except BaseException as e:
            self._handle_dbapi_exception(e, None, None, None, None)

    def _commit_impl(self) -> None:
        if self._events.commit:
            self._events.commit(self)
        if self._echo:
            self._log("COMMIT")
        if self._dbapi_connection is None:
            if self._invalidated:
                raise PendingRollbackError(
                    "Can't commit: the connection was invalidated; roll back instead"
                )
            return
        try:
            self.dialect.do_commit(self._dbapi_connection.dbapi_connection)
        except BaseException as e:
            self._handle_dbapi_exception(e, None, None, None, None)

    def _rollback_impl(self) -> None:
        if self._events.rollback:
            self._events.rollback(self)
        proxy = self._dbapi_connection
        if proxy is None or proxy.dbapi_connection is None:
            return  # invalidated: nothing to roll back on the server side
        if self._echo:
            self._log("ROLLBACK")
        try:
            self.dialect.do_rollback(proxy.dbapi_connection)
        except BaseException as e:
            self._handle_dbapi_exception(e, None, None, None, None)

    def _savepoint_impl(self) -> str:
        self._savepoint_seq += 1
        name = f"accord_savepoint_{self._savepoint_seq}"
        if self._events.savepoint:
            self._events.savepoint(self, name)
        self.dialect.do_savepoint(self, name)
        return name

    def _rollback_to_savepoint_impl(self, name: str) -> None:
        if self._events.rollback_savepoint:
            self._events.rollback_savepoint(self, name, None)
        if self._dbapi_connection is not None:
            self.dialect.do_rollback_to_savepoint(self, name)

    def _release_savepoint_impl(self, name: str) -> None:
        if self._events.release_savepoint:
            self._events.release_savepoint(self, name, None)
        self.dialect.do_release_savepoint(self, name)

    def _begin_twophase_impl(self, transaction: TwoPhaseTransaction) -> None:
        if self._echo:
            self._log("BEGIN TWOPHASE (implicit)")
        if self._events.begin_twophase:
            self._events.begin_twophase(self, transaction.xid)
        # Set first: a dialect emitting XA START through exec_driver_sql() must not
        # autobegin a second, plain root transaction.
        self._transaction = transaction
        try:
            self.dialect.do_begin_twophase(self, transaction.xid)
        except BaseException:
            self._transaction = None
            raise

    def _prepare_twophase_impl(self, xid: Any) -> None:
        if self._events.prepare_twophase:
            self._events.prepare_twophase(self, xid)
        self.dialect.do_prepare_twophase(self, xid)

    def _commit_twophase_impl(self, xid: Any, is_prepared: bool) -> None:
        if self._events.commit_twophase:
            self._events.commit_twophase(self, xid, is_prepared)
        self.dialect.do_commit_twophase(self, xid, is_prepared)

    def _rollback_twophase_impl(self, xid: Any, is_prepared: bool) -> None:
        if self._events.rollback_twophase:
            self._events.rollback_twophase(self, xid, is_prepared)
        if self._dbapi_connection is not None:
            self.dialect.do_rollback_twophase(self, xid, is_prepared)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Roll back what is not committed and return the DBAPI connection to the pool."""
        if self._closed:
            return
        try:
            if self._transaction is not None:
                self._transaction.close()
        finally:
            # Even if the rollback failed (a dead connection), give the slot back.
            proxy = self._dbapi_connection
            self._dbapi_connection = None
            self._closed = True
            if proxy is not None:
                try:
                    if proxy.dbapi_connection is not None and proxy.info.pop(
                        "accord_reset_isolation", False
                    ):
                        self.dialect.reset_isolation_level(proxy.dbapi_connection)
                finally:
                    proxy.close()

    def invalidate(self, exception: BaseException | None = None) -> None:
        """Discard the DBAPI connection; a later use reconnects (after any rollback)."""
        if self._invalidated:
            return
        if self._closed:
            raise ResourceClosedError("This Connection is closed")
        proxy = self._dbapi_connection
        if proxy is not None and proxy.is_valid:
            proxy.invalidate(exception)
        self._dbapi_connection = None
        self._invalidated = True

    def detach(self) -> None:
        """Take the DBAPI connection out of the pool; closing then closes it for real."""
        self.connection.detach()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Connection {self.engine!r} {'closed' if self._closed else 'open'}>"

    # -- execution ----------------------------------------------------------------------

    def execute(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> CursorResult[Any]:
        """Run a statement (``select()``, ``insert()``, ``text()``, DDL...).

        ``parameters`` is a dict, or a list of dicts to run an executemany.
        """
        distilled = distill_params(parameters)
        try:
            meth = statement._execute_on_connection
        except AttributeError:
            raise ObjectNotExecutableError(statement) from None
        return meth(self, distilled, execution_options or _EMPTY)  # type: ignore[no-any-return]

    def scalar(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run a statement and return the first column of the first row."""
        return self.execute(statement, parameters, execution_options=execution_options).scalar()

    def scalars(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run a statement and return a ``ScalarResult`` of the first column."""
        return self.execute(statement, parameters, execution_options=execution_options).scalars()

    def _execute_clauseelement(
        self,
        elem: Any,
        distilled_params: list[Mapping[str, Any]],
        execution_options: Mapping[str, Any],
    ) -> CursorResult[Any]:
        """Compile (or fetch from the cache) ``elem`` and run it."""
        dialect = self.dialect
        for_executemany = len(distilled_params) > 1
        if for_executemany and needs_one_by_one(elem, dialect):
            # Each single execution fires its own events.
            return execute_one_by_one(self, elem, distilled_params, execution_options)
        opts = merge_options(self._execution_options, elem, execution_options)
        dispatch = self._events
        if dispatch.before_execute:
            for fn in dispatch.before_execute:
                elem, distilled_params, _ = fn(self, elem, distilled_params, {}, opts)
            for_executemany = len(distilled_params) > 1
        keys = sorted(distilled_params[0]) if distilled_params else []
        cache = opts.get("compiled_cache", self.engine._compiled_cache)
        plan, extracted = get_plan(elem, dialect, keys, for_executemany, cache)
        ctx = dialect.execution_ctx_cls(dialect, self, None, opts)
        result = self._execute_context(
            ctx, ctx._init_compiled, plan, distilled_params, elem, extracted
        )
        if dispatch.after_execute:
            dispatch.after_execute(self, elem, distilled_params, {}, opts, result)
        return result

    def _execute_ddl(
        self,
        ddl: Any,
        distilled_params: list[Mapping[str, Any]],
        execution_options: Mapping[str, Any],
    ) -> CursorResult[Any]:
        """Compile and run a DDL element (never cached)."""
        opts = merge_options(self._execution_options, ddl, execution_options)
        dispatch = self._events
        if dispatch.before_execute:
            for fn in dispatch.before_execute:
                ddl, distilled_params, _ = fn(self, ddl, distilled_params, {}, opts)
        dialect = self.dialect
        compiled = ddl.compile(dialect=dialect)
        ctx = dialect.execution_ctx_cls(dialect, self, None, opts)
        result = self._execute_context(ctx, ctx._init_ddl, compiled)
        if dispatch.after_execute:
            dispatch.after_execute(self, ddl, distilled_params, {}, opts, result)
        return result

    def exec_driver_sql(
        self,
        statement: str,
        parameters: Any = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> CursorResult[Any]:
        """Run a SQL string as is, with parameters in the driver's own paramstyle."""
        distilled = distill_raw_params(parameters)
        opts = self._execution_options
        if execution_options:
            opts = {**opts, **execution_options}
        dispatch = self._events
        if dispatch.before_execute:
            for fn in dispatch.before_execute:
                statement, distilled, _ = fn(self, statement, distilled, {}, opts)
        dialect = self.dialect
        ctx = dialect.execution_ctx_cls(dialect, self, None, opts)
        result = self._execute_context(ctx, ctx._init_statement, statement, distilled)
        if dispatch.after_execute:
            dispatch.after_execute(self, statement, distilled, {}, opts, result)
        return result

    def _execute_context(
        self, ctx: DefaultExecutionContext, init: Any, *args: Any
    ) -> CursorResult[Any]:
        proxy = self._dbapi_connection
        if proxy is None:
            proxy = self._revalidate_connection()
        if self._transaction is None:
            self._autobegin()
        ctx._dbapi_connection = proxy.dbapi_connection
        try:
            init(*args)
        except BaseException as e:
            self._handle_dbapi_exception(
                e, ctx.statement, args[1] if len(args) > 1 else None, None, ctx
            )
        statement = ctx.statement
        parameters: Any = ctx.parameters
        executemany = ctx.executemany
        if not executemany:
            parameters = parameters[0] if parameters else ()
        try:
            cursor = ctx.cursor = ctx.create_cursor()
        except BaseException as e:
            self._handle_dbapi_exception(e, statement, parameters, None, ctx)
        dispatch = self._events
        if dispatch.before_cursor_execute:
            for fn in dispatch.before_cursor_execute:
                statement, parameters = fn(self, cursor, statement, parameters, ctx, executemany)
        if self._echo:
            log_statement(self._log, statement, parameters, ctx, self._hide_parameters)
        dialect = self.dialect
        try:
            ddispatch = dialect.dispatch
            if executemany:
                if not (
                    ddispatch.do_executemany
                    and any(
                        fn(cursor, statement, parameters, ctx) for fn in ddispatch.do_executemany
                    )
                ):
                    dialect.do_executemany(cursor, statement, parameters, ctx)
            elif not parameters and not ctx.percent_escaped:
                if not (
                    ddispatch.do_execute_no_params
                    and any(fn(cursor, statement, ctx) for fn in ddispatch.do_execute_no_params)
                ):
                    dialect.do_execute_no_params(cursor, statement, ctx)
            elif not (
                ddispatch.do_execute
                and any(fn(cursor, statement, parameters, ctx) for fn in ddispatch.do_execute)
            ):
                dialect.do_execute(cursor, statement, parameters, ctx)
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(
                    self, cursor, statement, parameters, ctx, executemany
                )
            result = ctx._setup_result()
            if self._echo_rows and result.returns_rows:
                log_rows(self._log, result)
            return result
        except BaseException as e:
            self._handle_dbapi_exception(ctx._explain_error(e), statement, parameters, cursor, ctx)

    # -- logging and errors -------------------------------------------------------------

    def _log(self, msg: str, *args: Any) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info(msg, *args)
        elif self._echo:
            # echo=True logs even when the logger's level would not: handlers decide.
            logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, msg, args, None))

    def _handle_dbapi_exception(
        self,
        e: BaseException,
        statement: str | None,
        parameters: Any,
        cursor: Any,
        context: Any,
    ) -> NoReturn:
        """Wrap a driver error, invalidate on disconnect, run ``handle_error``, raise."""
        dialect = self.dialect
        dbapi = dialect.dbapi
        dbapi_error = dbapi is not None and isinstance(e, dbapi.Error)
        if self._reentrant_error:
            raise e
        self._reentrant_error = True
        try:
            proxy = self._dbapi_connection
            is_disconnect = False
            if dbapi_error:
                try:
                    is_disconnect = bool(
                        dialect.is_disconnect(
                            e, proxy.dbapi_connection if proxy is not None else None, cursor
                        )
                    )
                except Exception:
                    logger.exception("is_disconnect() failed")
            wrapped: BaseException | None = None
            if isinstance(e, StatementError):
                wrapped = e
            elif dbapi_error or (isinstance(e, Exception) and statement is not None):
                wrapped = DBAPIError.instance(
                    statement,
                    parameters,
                    e,
                    dbapi.Error if dbapi is not None else None,
                    hide_parameters=self._hide_parameters,
                    connection_invalidated=is_disconnect,
                    ismulti=context.executemany if context is not None else None,
                )
            newraise: BaseException | None = None
            if self._events.handle_error and isinstance(e, Exception):
                ectx = ExceptionContext(
                    connection=self,
                    engine=self.engine,
                    dialect=dialect,
                    cursor=cursor,
                    statement=statement,
                    parameters=parameters,
                    original_exception=e,
                    accord_exception=wrapped,
                    execution_context=context,
                    is_disconnect=is_disconnect,
                )
                for fn in self._events.handle_error:
                    try:
                        per_fn = fn(ectx)
                        if per_fn is not None:
                            ectx.chained_exception = newraise = per_fn
                    except Exception as listener_error:
                        newraise = listener_error
                        break
                if is_disconnect != ectx.is_disconnect:
                    is_disconnect = ectx.is_disconnect
                    if isinstance(wrapped, DBAPIError):
                        wrapped.connection_invalidated = is_disconnect
            if cursor is not None:
                # The cursor may be gone together with the connection.
                with contextlib.suppress(Exception):
                    cursor.close()
            if is_disconnect and not self._invalidated:
                if proxy is not None and proxy.dbapi_connection is not None:
                    self.engine.pool._invalidate(proxy, e)
                self._dbapi_connection = None
                self._invalidated = True
        finally:
            self._reentrant_error = False
        if newraise is not None:
            raise newraise.with_traceback(e.__traceback__) from e
        if wrapped is not None and wrapped is not e:
            raise wrapped.with_traceback(e.__traceback__) from e
        raise e


class Engine:
    """A factory of connections to one database: a dialect, a pool and options.

    Thread-safe; create one per database URL and share it.
    """

    dispatch = dispatcher(ConnectionEvents)

    def __init__(
        self,
        pool: Any,
        dialect: DefaultDialect,
        url: URL,
        *,
        echo: bool | str | None = None,
        hide_parameters: bool = False,
        execution_options: Mapping[str, Any] | None = None,
        query_cache_size: int = 500,
        logging_name: str | None = None,
    ) -> None:
        self.pool = pool
        self.dialect = dialect
        self.url = url
        self.hide_parameters = hide_parameters
        self.logging_name = logging_name
        self._execution_options: Mapping[str, Any] = dict(execution_options or {})
        self._compiled_cache: LRUCache | None = (
            LRUCache(query_cache_size) if query_cache_size > 0 else None
        )
        self._xid_seq = 0
        self.echo = echo

    @property
    def echo(self) -> bool | str | None:
        """Log SQL through the ``accord.engine`` logger (``True`` adds a stdout handler)."""
        return self._echo_flag

    @echo.setter
    def echo(self, value: bool | str | None) -> None:
        self._echo_flag = value
        self._echo = bool(value)
        if value:
            ensure_echo_handler()

    @property
    def name(self) -> str:
        """The dialect name, e.g. ``sqlite``."""
        return self.dialect.name

    @property
    def driver(self) -> str:
        """The driver name, e.g. ``pysqlite``."""
        return self.dialect.driver

    def __repr__(self) -> str:
        return f"Engine({self.url})"  # str(url) masks the password

    def connect(self) -> Connection:
        """A new ``Connection`` checked out from the pool; use it as a context manager."""
        return Connection(self)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction: committed at the end of the block, or rolled back."""
        with self.connect() as conn, conn.begin():
            yield conn

    def raw_connection(self) -> Any:
        """A pool-proxied DBAPI connection (close it to return it to the pool)."""
        return self.pool.connect()

    def _checkout(self) -> Any:
        """``pool.connect()``, with driver errors (can't open, refused) wrapped."""
        try:
            return self.pool.connect()
        except Exception as e:
            dbapi = self.dialect.dbapi
            if dbapi is None or not isinstance(e, dbapi.Error):
                raise
            try:
                is_disconnect = bool(self.dialect.is_disconnect(e, None, None))
            except Exception:
                is_disconnect = False
            raise DBAPIError.instance(
                None,
                None,
                e,
                dbapi.Error,
                hide_parameters=self.hide_parameters,
                connection_invalidated=is_disconnect,
            ) from e

    def dispose(self, close: bool = True) -> None:
        """Replace the pool: idle connections are closed, checked-out ones on return."""
        if close:
            self.pool.dispose()
        self.pool = self.pool.recreate()
        if self.dispatch.engine_disposed:
            self.dispatch.engine_disposed(self)

    def execution_options(self, **opt: Any) -> OptionEngine:
        """An engine sharing this one's pool and dialect whose connections get ``opt``."""
        return OptionEngine(self, opt)

    def get_execution_options(self) -> Mapping[str, Any]:
        """The options new connections start with."""
        return self._execution_options

    def update_execution_options(self, **opt: Any) -> None:
        """Add options to this engine in place (new connections start with them)."""
        self._execution_options = {**self._execution_options, **opt}
        if "compiled_cache" in opt:
            self._compiled_cache = opt["compiled_cache"]
        if self.dispatch.set_engine_execution_options:
            self.dispatch.set_engine_execution_options(self, opt)

    @property
    def engine(self) -> Engine:
        """This engine (so code can take an Engine or a Connection and use ``.engine``)."""
        return self

    def clear_compiled_cache(self) -> None:
        """Forget every cached compiled statement."""
        if self._compiled_cache is not None:
            self._compiled_cache.clear()

    def _create_xid(self) -> Any:
        # A random part keeps xids unique across processes and engines that reuse an id().
        self._xid_seq += 1
        return f"accord_xid_{uuid.uuid4().hex[:16]}_{self._xid_seq}"


class OptionEngine(Engine):
    """An ``Engine`` view with extra execution options; shares pool, dialect and cache."""

    def __init__(self, proxied: Engine, execution_options: Mapping[str, Any]) -> None:
        self._proxied = proxied
        self.pool = proxied.pool
        self.dialect = proxied.dialect
        self.url = proxied.url
        self.hide_parameters = proxied.hide_parameters
        self.logging_name = proxied.logging_name
        self._compiled_cache = proxied._compiled_cache
        self._xid_seq = 0
        self._echo_flag = proxied._echo_flag
        self._echo = proxied._echo
        opts = dict(proxied._execution_options)
        opts.update(execution_options)
        if "compiled_cache" in execution_options:
            self._compiled_cache = execution_options["compiled_cache"]
        self._execution_options = opts
        self.dispatch = proxied.dispatch._join()  # sees the parent engine's listeners
        if "isolation_level" in execution_options:
            self._isolation_level = execution_options["isolation_level"]

    def connect(self) -> Connection:
        """A connection with this engine's options (isolation level applied)."""
        conn = Connection(self)
        level = self._execution_options.get("isolation_level")
        if level is not None:
            conn.execution_options(isolation_level=level)
        return conn
