"""The Pool base class, the connection record and PoolProxiedConnection (checkout protocol)."""

from __future__ import annotations

import inspect
import logging
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from accord import exc
from accord.engine.events import PoolEvents
from accord.event import dispatcher

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DBAPICalls", "Pool", "PoolProxiedConnection", "PoolResetState"]

log = logging.getLogger("accord.pool")

_P = TypeVar("_P", bound="Pool")

# A DBAPI connection: typed loosely, every driver's class is different.
DBAPIConnection = Any

_RESET_VALUES: dict[object, str | None] = {
    True: "rollback",
    "rollback": "rollback",
    "commit": "commit",
    False: None,
    None: None,
}


@dataclass(frozen=True, slots=True)
class PoolResetState:
    """What the ``reset`` event is told about the reset of a returned connection."""

    transaction_was_reset: bool
    terminate_only: bool
    asyncio_safe: bool = True


class DBAPICalls:
    """The plain DBAPI calls behind commit, rollback, close and ping; dialects inherit them."""

    def do_commit(self, dbapi_connection: Any) -> None:
        """Commit through the DBAPI connection."""
        dbapi_connection.commit()

    def do_rollback(self, dbapi_connection: Any) -> None:
        """Roll back through the DBAPI connection."""
        dbapi_connection.rollback()

    def do_close(self, dbapi_connection: Any) -> None:
        """Close the DBAPI connection."""
        dbapi_connection.close()

    def do_ping(self, dbapi_connection: Any) -> bool:
        """Run ``SELECT 1``; errors propagate so the pool can tell a disconnect."""
        self.dbapi_query(dbapi_connection, "SELECT 1", fetch=False)
        return True

    @staticmethod
    def dbapi_query(dbapi_connection: Any, sql: str, fetch: bool = True) -> Any:
        """Run ``sql`` on a cursor of the DBAPI connection (then closed); its first row."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchone() if fetch else None
        finally:
            cursor.close()


class _PlainDialect(DBAPICalls):
    """The driver calls a pool makes when it was given no dialect: plain DBAPI methods."""

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        # Without a dialect nothing but our own DisconnectionError can be recognised.
        return isinstance(e, exc.DisconnectionError)

    def get_driver_connection(self, connection: DBAPIConnection) -> Any:
        return connection


def _configure_echo(echo: bool | str) -> None:
    """``echo=True`` logs pool activity at INFO, ``"debug"`` at DEBUG, to stdout."""
    if not echo:
        return
    log.setLevel(logging.DEBUG if echo == "debug" else logging.INFO)
    if not any(getattr(h, "_accord_echo", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._accord_echo = True  # type: ignore[attr-defined]  # marks our own handler
        log.addHandler(handler)


class _ConnectionRecord:
    """The pool's record of one slot: its DBAPI connection, creation time and info dicts."""

    __slots__ = (
        "__weakref__",
        "_gc_cb",
        "_info",
        "_record_info",
        "_soft_invalidate_time",
        "dbapi_connection",
        "fairy_ref",
        "fresh",
        "pool",
        "starttime",
    )

    def __init__(self, pool: Pool, connect: bool = True) -> None:
        self.pool = pool
        self.dbapi_connection: DBAPIConnection | None = None
        self.starttime = 0.0
        self._soft_invalidate_time = 0.0
        self._info: dict[Any, Any] | None = None
        self._record_info: dict[Any, Any] | None = None
        self.fairy_ref: weakref.ref[PoolProxiedConnection] | None = None
        self._gc_cb: Callable[..., None] | None = None
        # True from (re)connecting until the first checkout completes: no need to ping
        self.fresh = False
        if connect:
            self._connect()

    @property
    def info(self) -> dict[Any, Any]:
        """A dict living as long as the current DBAPI connection of this record."""
        if self._info is None:
            self._info = {}
        return self._info

    @property
    def record_info(self) -> dict[Any, Any]:
        """A dict living as long as this record, across reconnects."""
        if self._record_info is None:
            self._record_info = {}
        return self._record_info

    @property
    def driver_connection(self) -> Any:
        """The driver's own connection object (usually the DBAPI connection itself)."""
        if self.dbapi_connection is None:
            return None
        return self.pool._dialect.get_driver_connection(self.dbapi_connection)

    def _connect(self) -> None:
        pool = self.pool
        self.dbapi_connection = None
        self.starttime = time.monotonic()
        self._info = None
        conn = pool._invoke_creator(self)
        self.dbapi_connection = conn
        self.starttime = time.monotonic()
        self.fresh = True
        log.debug("Created new connection %r", conn)
        if not pool._first_connect_done:
            pool._fire_first_connect(conn, self)
        if pool.dispatch.connect:
            pool.dispatch.connect(conn, self)

    def get_connection(self) -> DBAPIConnection:
        """The live DBAPI connection, replacing it first if recycled or invalidated."""
        conn = self.dbapi_connection
        pool = self.pool
        if conn is None:
            self._connect()
        elif pool._recycle > -1 and time.monotonic() - self.starttime > pool._recycle:
            log.info("Connection %r exceeded timeout; recycling", conn)
            self._reconnect()
        elif pool._invalidate_time > self.starttime:
            log.info("Connection %r invalidated by a pool-wide invalidation; recycling", conn)
            self._reconnect()
        elif self._soft_invalidate_time > self.starttime:
            log.info("Connection %r was soft-invalidated; recycling", conn)
            self._reconnect()
        return self.dbapi_connection

    def _reconnect(self) -> None:
        self._close_dbapi()
        self._connect()

    def invalidate(self, e: BaseException | None = None, soft: bool = False) -> None:
        """Mark the connection unusable: closed now, or (``soft``) replaced at next checkout."""
        conn = self.dbapi_connection
        if conn is None:
            return
        pool = self.pool
        if soft:
            if pool.dispatch.soft_invalidate:
                pool.dispatch.soft_invalidate(conn, self, e)
        elif pool.dispatch.invalidate:
            pool.dispatch.invalidate(conn, self, e)
        if e is not None:
            log.info(
                "%sInvalidate connection %r (reason: %s: %s)",
                "Soft " if soft else "",
                conn,
                type(e).__name__,
                e,
            )
        else:
            log.info("%sInvalidate connection %r", "Soft " if soft else "", conn)
        if soft:
            # Kept open for whoever holds it; replaced when next checked out.
            self._soft_invalidate_time = time.monotonic()
        else:
            self._close_dbapi()

    def _close_dbapi(self) -> None:
        conn = self.dbapi_connection
        self.dbapi_connection = None
        self._info = None
        if conn is not None:
            self.pool._close_connection(conn, self)

    def close(self) -> None:
        """Close the DBAPI connection of this record, if any."""
        self._close_dbapi()

    def __repr__(self) -> str:
        return f"<_ConnectionRecord {self.dbapi_connection!r}>"


def _on_proxy_collected(
    pool_ref: weakref.ref[Pool], rec: _ConnectionRecord
) -> Callable[..., None]:
    def collected(ref: weakref.ref[PoolProxiedConnection]) -> None:
        # A proxy was dropped without close(): put its connection back rather than leak
        # the slot.  Runs from the garbage collector, so it must never raise.
        if rec.fairy_ref is not ref:
            return
        rec.fairy_ref = None
        pool = pool_ref()
        if pool is None:
            return
        log.warning(
            "The garbage collector is cleaning up connection %r that was never closed; "
            "close connections explicitly (or use a with-block)",
            rec.dbapi_connection,
        )
        try:
            pool._finish_checkin(rec, transaction_reset=False)
        except Exception:  # pragma: no cover - defensive
            log.exception("Error returning a collected connection to the pool")

    return collected


class PoolProxiedConnection:
    """A checked-out connection: wraps the DBAPI connection until ``close()`` returns it."""

    __slots__ = ("__weakref__", "_detached_info", "_pool", "_record", "dbapi_connection")

    def __init__(self, pool: Pool, record: _ConnectionRecord, dbapi_connection: Any) -> None:
        self._pool = pool
        self._record: _ConnectionRecord | None = record
        self.dbapi_connection: DBAPIConnection | None = dbapi_connection
        self._detached_info: dict[Any, Any] | None = None

    @property
    def driver_connection(self) -> Any:
        """The driver's own connection object (usually the DBAPI connection itself)."""
        if self.dbapi_connection is None:
            return None
        return self._pool._dialect.get_driver_connection(self.dbapi_connection)

    @property
    def info(self) -> dict[Any, Any]:
        """A dict living as long as the DBAPI connection (kept by a detached connection)."""
        if self._record is not None:
            return self._record.info
        if self._detached_info is None:
            self._detached_info = {}
        return self._detached_info

    @property
    def record_info(self) -> dict[Any, Any] | None:
        """A dict living as long as the pool's record (slot), or None when detached."""
        return self._record.record_info if self._record is not None else None

    @property
    def is_valid(self) -> bool:
        """False once invalidated or closed."""
        return self.dbapi_connection is not None

    @property
    def is_detached(self) -> bool:
        """True after ``detach()``: the DBAPI connection no longer belongs to the pool."""
        return self._record is None

    def cursor(self, *args: Any, **kw: Any) -> Any:
        """A new DBAPI cursor of this connection."""
        conn = self.dbapi_connection
        if conn is None:
            raise exc.InvalidRequestError("This connection is closed or was invalidated")
        return conn.cursor(*args, **kw)

    def __getattr__(self, name: str) -> Any:
        # Anything else is the DBAPI connection's (commit, rollback, driver extras).
        if name.startswith("__"):
            raise AttributeError(name)
        conn = self.dbapi_connection
        if conn is None:
            raise AttributeError(f"{name!r}: the connection is closed or was invalidated")
        return getattr(conn, name)

    def invalidate(self, e: BaseException | None = None, soft: bool = False) -> None:
        """Close the DBAPI connection (or, ``soft``, replace it at its next checkout).

        A hard invalidation also returns the (now empty) slot to the pool: this proxy is
        then unusable.  If ``e`` is a disconnect error, every connection created before
        now is replaced at its next checkout.
        """
        conn = self.dbapi_connection
        if conn is None:
            return
        pool = self._pool
        if e is not None and not soft and pool._is_disconnect(e, conn):
            pool._invalidate_time = time.monotonic()
            log.info("Disconnect detected; invalidating every older connection of the pool")
        rec = self._record
        if rec is not None:
            rec.invalidate(e, soft=soft)
        elif not soft:
            pool._close_detached(conn)
        if not soft:
            self.dbapi_connection = None
            if rec is not None:
                self._record = None
                pool._finish_checkin(rec, transaction_reset=True)

    def detach(self) -> None:
        """Take the DBAPI connection out of the pool; ``close()`` will then really close it."""
        rec = self._record
        if rec is None:
            return
        conn = self.dbapi_connection
        self._detached_info = dict(rec.info) if rec._info else None
        rec.fairy_ref = None
        rec.dbapi_connection = None
        rec._info = None
        self._record = None
        pool = self._pool
        pool._return_record(rec)
        if pool.dispatch.detach:
            pool.dispatch.detach(conn, rec)

    def close(self) -> None:
        """Reset the connection (roll back) and return it to the pool."""
        self._checkin(transaction_reset=False)

    def _checkin(self, transaction_reset: bool = False) -> None:
        """Return to the pool; ``transaction_reset=True`` says the caller already rolled back."""
        rec = self._record
        if rec is None:
            conn = self.dbapi_connection
            self.dbapi_connection = None
            if conn is not None:  # detached: closing means closing for real
                self._pool._close_detached(conn)
            return
        self._record = None
        self.dbapi_connection = None
        self._pool._finish_checkin(rec, transaction_reset=transaction_reset)

    def __enter__(self) -> PoolProxiedConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PoolProxiedConnection {self.dbapi_connection!r}>"


class Pool:
    """Base of the pools: connection creation, checkout/checkin protocol and events."""

    dispatch = dispatcher(PoolEvents)

    # whether an unclosed, garbage-collected proxy returns its connection to the pool
    _gc_return = True

    def __init__(
        self,
        creator: Callable[..., DBAPIConnection],
        *,
        recycle: float = -1,
        pre_ping: bool = False,
        dialect: Any = None,
        reset_on_return: bool | str | None = True,
        echo: bool | str = False,
        logging_name: str | None = None,
        events: list[tuple[Callable[..., Any], str]] | None = None,
    ) -> None:
        if reset_on_return not in _RESET_VALUES:
            raise exc.ArgumentError(
                f"Invalid reset_on_return {reset_on_return!r}; "
                f"use 'rollback', 'commit', True, False or None"
            )
        self._creator = creator
        self._creator_takes_record = _takes_one_argument(creator)
        self._recycle = recycle
        self._pre_ping = pre_ping
        self._dialect: Any = dialect if dialect is not None else _PlainDialect()
        self._given_dialect = dialect
        self._reset_on_return = reset_on_return
        self._reset = _RESET_VALUES[reset_on_return]
        self._echo = echo
        self.logging_name = logging_name
        self._invalidate_time = 0.0
        self._first_connect_done = False
        self._first_connect_lock = threading.Lock()
        _configure_echo(echo)
        if events:
            from accord.event import listen

            for fn, name in events:
                listen(self, name, fn)

    # -- public API -------------------------------------------------------------------

    def connect(self) -> PoolProxiedConnection:
        """Check out a connection (pre-pinged, recycled or replaced as configured)."""
        rec = self._do_get()
        try:
            conn = rec.get_connection()
        except BaseException:
            self._checkin_failed(rec)
            raise
        proxy = PoolProxiedConnection(self, rec, conn)
        if self._gc_return:
            cb = rec._gc_cb
            if cb is None:
                cb = rec._gc_cb = _on_proxy_collected(weakref.ref(self), rec)
            rec.fairy_ref = weakref.ref(proxy, cb)
        if self._pre_ping or self.dispatch.checkout:
            self._checkout_checks(proxy, rec)
        rec.fresh = False
        return proxy

    def dispose(self) -> None:
        """Close the connections sitting in the pool; checked-out ones close on return."""
        raise NotImplementedError

    def recreate(self) -> Pool:
        """A new, empty pool with the same configuration and the same listeners."""
        raise NotImplementedError

    def status(self) -> str:
        """A one-line description of the pool's state."""
        raise NotImplementedError

    @property
    def dialect(self) -> Any:
        """The dialect whose driver hooks the pool uses (a plain stand-in if none given)."""
        return self._dialect

    # -- for subclasses -----------------------------------------------------------------

    def _do_get(self) -> _ConnectionRecord:
        raise NotImplementedError

    def _do_return_conn(self, record: _ConnectionRecord) -> None:
        raise NotImplementedError

    def _kwargs(self) -> dict[str, Any]:
        """The constructor arguments shared by every pool class (for ``recreate``)."""
        return {
            "recycle": self._recycle,
            "pre_ping": self._pre_ping,
            "dialect": self._given_dialect,
            "reset_on_return": self._reset_on_return,
            "echo": self._echo,
            "logging_name": self.logging_name,
        }

    def _copy_listeners_to(self, new: _P) -> _P:
        new.dispatch._update(self.dispatch, only_propagate=False)
        return new

    # -- internals ----------------------------------------------------------------------

    def _create_connection(self) -> _ConnectionRecord:
        return _ConnectionRecord(self)

    def _invoke_creator(self, record: _ConnectionRecord) -> DBAPIConnection:
        if self._creator_takes_record:
            return self._creator(record)
        return self._creator()

    def _fire_first_connect(self, conn: DBAPIConnection, record: _ConnectionRecord) -> None:
        # Other threads connecting meanwhile wait, so nobody uses a connection before the
        # first_connect listeners (e.g. dialect initialisation) have finished; if one
        # raises, the next connection tries again.
        with self._first_connect_lock:
            if self._first_connect_done:
                return
            if self.dispatch.first_connect:
                self.dispatch.first_connect(conn, record)
            self._first_connect_done = True

    def _is_disconnect(self, e: BaseException, conn: DBAPIConnection | None) -> bool:
        if isinstance(e, exc.DisconnectionError):
            return True
        if getattr(e, "connection_invalidated", False):
            return True
        orig = getattr(e, "orig", None)
        if isinstance(e, exc.DBAPIError) and orig is not None:
            e = orig
        try:
            return bool(self._dialect.is_disconnect(e, conn, None))
        except Exception:  # a dialect hook failing must not hide the original error
            log.exception("is_disconnect() raised while examining %r", e)
            return False

    def _checkout_checks(self, proxy: PoolProxiedConnection, rec: _ConnectionRecord) -> None:
        """Pre-ping and ``checkout`` listeners; a dead connection is replaced (3 tries)."""
        attempts = 3
        while True:
            conn = proxy.dbapi_connection
            try:
                if self._pre_ping and not rec.fresh:
                    self._ping(conn)
                if self.dispatch.checkout:
                    self.dispatch.checkout(conn, rec, proxy)
                return
            except exc.DisconnectionError as e:
                if e.invalidate_pool:
                    self._invalidate_time = time.monotonic()
                failure: BaseException = e
            except BaseException:
                proxy._checkin(transaction_reset=True)
                raise
            attempts -= 1
            log.info("Disconnection detected on checkout (%s); getting a new connection", failure)
            rec.invalidate(failure)
            if attempts == 0:
                proxy.dbapi_connection = None
                proxy._record = None
                rec.fairy_ref = None
                self._return_record(rec)
                raise exc.DisconnectionError(
                    f"Could not get a working connection from the pool after 3 attempts; "
                    f"last error: {failure}"
                ) from failure
            try:
                proxy.dbapi_connection = rec.get_connection()
            except BaseException:
                proxy.dbapi_connection = None
                proxy._record = None
                rec.fairy_ref = None
                self._checkin_failed(rec)
                raise

    def _ping(self, conn: DBAPIConnection) -> None:
        """Raise DisconnectionError if ``conn`` is dead."""
        try:
            alive = self._dialect.do_ping(conn)
        except Exception as e:
            # Without a dialect any failure counts as dead; with one, only disconnects.
            if self._given_dialect is not None and not self._is_disconnect(e, conn):
                raise
            # A dead server probably killed every connection made before now.
            self._invalidate_time = time.monotonic()
            raise exc.DisconnectionError(f"Pre-ping failed: {type(e).__name__}: {e}") from e
        if alive is False:
            self._invalidate_time = time.monotonic()
            raise exc.DisconnectionError("Pre-ping reported the connection as not alive")

    def _checkin_failed(self, rec: _ConnectionRecord) -> None:
        """A checkout failed after the slot was taken: empty the record and give it back."""
        try:
            rec.invalidate()
        finally:
            self._return_record(rec)

    def _finish_checkin(self, rec: _ConnectionRecord, transaction_reset: bool) -> None:
        """Reset a returned connection, fire ``checkin`` and put the record back."""
        rec.fairy_ref = None
        conn = rec.dbapi_connection
        try:
            if conn is not None:
                self._reset_connection(conn, rec, transaction_reset)
            if self.dispatch.checkin:
                self.dispatch.checkin(rec.dbapi_connection, rec)
        finally:
            self._return_record(rec)

    def _reset_connection(
        self, conn: DBAPIConnection, rec: _ConnectionRecord, transaction_reset: bool
    ) -> None:
        if self.dispatch.reset:
            self.dispatch.reset(conn, rec, PoolResetState(transaction_reset, False))
        if self._reset is None or transaction_reset:
            return
        try:
            if self._reset == "rollback":
                self._dialect.do_rollback(conn)
            else:
                self._dialect.do_commit(conn)
        except Exception as e:
            # A connection that cannot be reset cannot be trusted: discard it.
            log.warning("Reset of connection %r on return failed (%s); discarding it", conn, e)
            rec.invalidate(e)

    def _return_record(self, rec: _ConnectionRecord) -> None:
        self._do_return_conn(rec)

    def _close_connection(self, conn: DBAPIConnection, rec: _ConnectionRecord | None) -> None:
        if rec is not None and self.dispatch.close:
            self.dispatch.close(conn, rec)
        log.debug("Closing connection %r", conn)
        try:
            self._dialect.do_close(conn)
        except Exception as e:
            log.warning("Exception closing connection %r: %s", conn, e)

    def _close_detached(self, conn: DBAPIConnection) -> None:
        if self.dispatch.close_detached:
            self.dispatch.close_detached(conn)
        try:
            self._dialect.do_close(conn)
        except Exception as e:
            log.warning("Exception closing detached connection %r: %s", conn, e)

    def _invalidate(
        self, connection: PoolProxiedConnection | None = None, exception: Any = None
    ) -> None:
        """Invalidate the whole pool: every connection made before now is replaced.

        ``connection``, if given, is invalidated (closed) right away too.  The engine calls
        this when it sees a disconnect error.
        """
        self._invalidate_time = time.monotonic()
        if connection is not None:
            connection.invalidate(exception)


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    """True for ``creator(connection_record)``, False for ``creator()``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: call with nothing
        return False
    required = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(required) == 1
