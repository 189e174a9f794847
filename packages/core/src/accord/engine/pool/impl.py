"""The pool implementations: QueuePool, NullPool, StaticPool and AssertionPool."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from accord import exc

from .base import DBAPIConnection, Pool, _ConnectionRecord, log

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["AssertionPool", "NullPool", "QueuePool", "StaticPool"]


class QueuePool(Pool):
    """A bounded pool: ``pool_size`` kept connections plus up to ``max_overflow`` extra.

    When all are checked out, ``connect()`` waits up to ``timeout`` seconds for one to be
    returned, then raises :class:`accord.exc.TimeoutError`.  ``max_overflow=-1`` means no
    limit; ``pool_size=0`` keeps every returned connection.  Thread-safe.
    """

    def __init__(
        self,
        creator: Callable[..., DBAPIConnection],
        pool_size: int = 5,
        max_overflow: int = 10,
        timeout: float = 30.0,
        recycle: float = -1,
        pre_ping: bool = False,
        dialect: Any = None,
        reset_on_return: bool | str | None = True,
        echo: bool | str = False,
        *,
        use_lifo: bool = False,
        **kw: Any,
    ) -> None:
        if pool_size < 0:
            raise exc.ArgumentError(f"pool_size must be >= 0, got {pool_size}")
        super().__init__(
            creator,
            recycle=recycle,
            pre_ping=pre_ping,
            dialect=dialect,
            reset_on_return=reset_on_return,
            echo=echo,
            **kw,
        )
        self._pool_size = pool_size
        self._max_overflow = max_overflow
        self._timeout = timeout
        self._use_lifo = use_lifo
        self._idle: deque[_ConnectionRecord] = deque()
        self._cond = threading.Condition(threading.Lock())
        # open connections minus pool_size: negative while the pool is not yet full
        self._overflow = -pool_size

    def _do_get(self) -> _ConnectionRecord:
        cond = self._cond
        with cond:
            idle = self._idle
            if idle:
                return idle.pop() if self._use_lifo else idle.popleft()
            deadline: float | None = None
            while True:
                if self._max_overflow < 0 or self._overflow < self._max_overflow:
                    self._overflow += 1
                    break
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._timeout
                remaining = deadline - now
                if remaining <= 0:
                    raise exc.TimeoutError(
                        f"QueuePool limit of size {self._pool_size} overflow "
                        f"{self._max_overflow} reached, connection timed out, timeout "
                        f"{self._timeout:.2f} (all {self._pool_size + self._max_overflow} "
                        f"connections are checked out; return connections with close() "
                        f"or raise pool_size/max_overflow)"
                    )
                cond.wait(remaining)
                if idle:
                    return idle.pop() if self._use_lifo else idle.popleft()
        # Connect outside the lock: a slow server must not block checkins.
        try:
            return self._create_connection()
        except BaseException:
            with cond:
                self._overflow -= 1
                cond.notify()
            raise

    def _do_return_conn(self, record: _ConnectionRecord) -> None:
        with self._cond:
            # pool_size=0 keeps every connection (only max_overflow limits them)
            if self._pool_size == 0 or len(self._idle) < self._pool_size:
                self._idle.append(record)
                self._cond.notify()
                return
            self._overflow -= 1
            self._cond.notify()
        record.close()

    def dispose(self) -> None:
        """Close every idle connection; checked-out ones are unaffected until returned."""
        with self._cond:
            records = list(self._idle)
            self._idle.clear()
            self._overflow -= len(records)
            self._cond.notify_all()
        for rec in records:
            rec.close()
        log.info("Pool disposed. %s", self.status())

    def recreate(self) -> QueuePool:
        """A new, empty QueuePool with the same settings and listeners."""
        log.info("Pool recreating")
        new = QueuePool(
            self._creator,
            pool_size=self._pool_size,
            max_overflow=self._max_overflow,
            timeout=self._timeout,
            use_lifo=self._use_lifo,
            **self._kwargs(),
        )
        self._copy_listeners_to(new)
        return new

    def status(self) -> str:
        """Size, idle connections, overflow and checked-out count in one line."""
        return (
            f"Pool size: {self.size()}  Connections in pool: {self.checkedin()} "
            f"Current Overflow: {self.overflow()} "
            f"Current Checked out connections: {self.checkedout()}"
        )

    def size(self) -> int:
        """The configured ``pool_size``."""
        return self._pool_size

    def timeout(self) -> float:
        """The configured checkout ``timeout`` in seconds."""
        return self._timeout

    def checkedin(self) -> int:
        """How many connections sit idle in the pool."""
        return len(self._idle)

    def overflow(self) -> int:
        """Open connections beyond ``pool_size`` (negative while the pool is not full)."""
        return self._overflow

    def checkedout(self) -> int:
        """How many connections are checked out right now."""
        return self._pool_size - len(self._idle) + self._overflow


class NullPool(Pool):
    """No pooling: each checkout opens a connection and each checkin closes it."""

    def _do_get(self) -> _ConnectionRecord:
        return self._create_connection()

    def _do_return_conn(self, record: _ConnectionRecord) -> None:
        record.close()

    def dispose(self) -> None:
        """Nothing is kept, so nothing to close."""

    def recreate(self) -> NullPool:
        """A new NullPool with the same settings and listeners."""
        return self._copy_listeners_to(NullPool(self._creator, **self._kwargs()))

    def status(self) -> str:
        """Always ``"NullPool"``."""
        return "NullPool"


class StaticPool(Pool):
    """Exactly one connection, shared by every checkout (e.g. a sqlite ``:memory:`` db)."""

    # every checkout shares the one record, so there is no slot to give back on GC
    _gc_return = False

    def __init__(self, creator: Callable[..., DBAPIConnection], **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._record: _ConnectionRecord | None = None
        self._lock = threading.Lock()

    @property
    def connection(self) -> _ConnectionRecord:
        """The one connection record (created on first use)."""
        rec = self._record
        if rec is None:
            with self._lock:
                rec = self._record
                if rec is None:
                    rec = self._record = self._create_connection()
        return rec

    def _do_get(self) -> _ConnectionRecord:
        return self.connection

    def _do_return_conn(self, record: _ConnectionRecord) -> None:
        pass

    def dispose(self) -> None:
        """Close the one connection; the next checkout opens a new one."""
        with self._lock:
            rec, self._record = self._record, None
        if rec is not None:
            rec.close()

    def recreate(self) -> StaticPool:
        """A new StaticPool (with a new connection) with the same settings and listeners."""
        return self._copy_listeners_to(StaticPool(self._creator, **self._kwargs()))

    def status(self) -> str:
        """Always ``"StaticPool"``."""
        return "StaticPool"


class AssertionPool(Pool):
    """One connection, at most one checkout at a time: a second checkout is an error.

    For tests that want to prove code never holds two connections at once.
    """

    def __init__(self, creator: Callable[..., DBAPIConnection], **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._record: _ConnectionRecord | None = None
        self._checked_out = False
        self._lock = threading.Lock()

    def _do_get(self) -> _ConnectionRecord:
        with self._lock:
            if self._checked_out:
                raise AssertionError("connection is already checked out")
            self._checked_out = True
            rec = self._record
        if rec is None:
            try:
                rec = self._record = self._create_connection()
            except BaseException:
                self._checked_out = False
                raise
        return rec

    def _do_return_conn(self, record: _ConnectionRecord) -> None:
        with self._lock:
            if not self._checked_out:
                raise AssertionError("connection is not checked out")
            self._checked_out = False

    def dispose(self) -> None:
        """Close the connection; the next checkout opens a new one."""
        rec, self._record = self._record, None
        if rec is not None:
            rec.close()

    def recreate(self) -> AssertionPool:
        """A new AssertionPool with the same settings and listeners."""
        return self._copy_listeners_to(AssertionPool(self._creator, **self._kwargs()))

    def status(self) -> str:
        """Always ``"AssertionPool"``."""
        return "AssertionPool"
