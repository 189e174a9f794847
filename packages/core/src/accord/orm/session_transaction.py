"""``SessionTransaction``: a Session's root transaction and its SAVEPOINT children."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from accord import exc

if TYPE_CHECKING:
    from types import TracebackType

    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "JOIN_TRANSACTION_MODES",
    "SessionTransaction",
    "SessionTransactionOrigin",
]


class SessionTransactionOrigin(enum.Enum):
    """How a SessionTransaction came to be."""

    AUTOBEGIN = 0
    BEGIN = 1
    BEGIN_NESTED = 2
    SUBTRANSACTION = 3


# How a Session bound to a Connection that is already in a transaction uses it:
# "conservative_savepoint" rolls the outer transaction back on rollback() but never commits
# it (inside a SAVEPOINT it acts as "create_savepoint"); "create_savepoint" runs the
# Session's transactions in a SAVEPOINT of their own; "rollback_only" is the first without
# the SAVEPOINT rule; "control_fully" commits and rolls back the outer transaction.
JOIN_TRANSACTION_MODES = (
    "conservative_savepoint",
    "create_savepoint",
    "rollback_only",
    "control_fully",
)


class _RollbackOnly:
    """An outer transaction the Session may roll back but never commits."""

    __slots__ = ("_trans",)

    def __init__(self, trans: Any) -> None:
        self._trans = trans

    @property
    def is_active(self) -> bool:
        return bool(self._trans.is_active)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        self._trans.rollback()


def _join(conn: Any, mode: str) -> Any:
    """What a Session commits / rolls back on a Connection already in a transaction."""
    if mode == "create_savepoint" or (
        mode == "conservative_savepoint" and conn.in_nested_transaction()
    ):
        return conn.begin_nested()
    outer = conn.get_transaction()
    if mode == "control_fully":
        return outer
    return _RollbackOnly(outer)


class _TxState(enum.Enum):
    ACTIVE = "active"
    DEACTIVE = "deactive"  # an error happened: only rollback() is allowed
    COMMITTED = "committed"
    CLOSED = "closed"


class SessionTransaction:
    """One level of a Session's transaction: the root, or a ``begin_nested()`` SAVEPOINT.

    The root holds one ``Connection`` (and its engine transaction) per bind, made on first
    use; a nested transaction opens a SAVEPOINT on each of them.  Objects inserted and
    deleted while it is open are remembered so that a rollback can undo their states.
    """

    def __init__(
        self,
        session: Session,
        origin: SessionTransactionOrigin,
        parent: SessionTransaction | None = None,
    ) -> None:
        self.session = session
        self.origin = origin
        self._parent = parent
        self.nested = origin is SessionTransactionOrigin.BEGIN_NESTED
        self._state = _TxState.ACTIVE
        self._rollback_exception: BaseException | None = None
        # bind -> (Connection, engine Transaction, connection was made here)
        self._connections: dict[Any, tuple[Any, Any, bool]] = {}
        # states inserted / deleted by flushes inside this transaction
        self._new: dict[InstanceState, Any] = {}
        self._deleted: dict[InstanceState, Any] = {}
        # objects add()ed while this transaction is the current one (a SAVEPOINT rollback
        # expunges those still pending)
        self._added: list[InstanceState] = []
        if parent is not None and self.nested:
            for bind, (conn, _t, _own) in list(parent._all_connections().items()):
                self._connections[bind] = (conn, conn.begin_nested(), False)
        session.dispatch.after_transaction_create(session, self)

    # -- what it is --------------------------------------------------------------------

    @property
    def parent(self) -> SessionTransaction | None:
        """The enclosing transaction, or None for the root."""
        return self._parent

    @property
    def is_active(self) -> bool:
        """True while statements may run in it."""
        return self._state is _TxState.ACTIVE

    def _all_connections(self) -> dict[Any, tuple[Any, Any, bool]]:
        root = self
        while root._parent is not None:
            root = root._parent
        return root._connections

    def _assert_active(self) -> None:
        if self._state is _TxState.DEACTIVE:
            raise exc.PendingRollbackError(
                "This Session's transaction has been rolled back due to a previous exception "
                "during flush. To begin a new transaction with this Session, first issue "
                f"Session.rollback(). Original exception was: {self._rollback_exception}"
            )
        if self._state is not _TxState.ACTIVE:
            raise exc.ResourceClosedError("This transaction is closed")

    # -- connections -------------------------------------------------------------------

    def connection(self, bind: Any) -> Any:
        """The Connection for ``bind`` in this transaction (begun on first use)."""
        self._assert_active()
        root = self
        while root._parent is not None:
            root = root._parent
        entry = root._connections.get(bind)
        if entry is not None:
            return entry[0]
        if hasattr(bind, "connect"):
            conn = bind.connect()
            own = True
        else:  # a Connection given as bind: join its transaction if one is running
            conn, own = bind, False
        if not conn.in_transaction():
            trans = conn.begin()
        else:
            trans = _join(conn, self.session.join_transaction_mode)
        root._connections[bind] = (conn, trans, own)
        # a nested level open now also needs its savepoint on this connection
        chain = []
        t: SessionTransaction | None = self
        while t is not None and t is not root:
            chain.append(t)
            t = t._parent
        for level in reversed(chain):
            level._connections[bind] = (conn, conn.begin_nested(), False)
        self.session.dispatch.after_begin(self.session, self, conn)
        return conn

    # -- ending ------------------------------------------------------------------------

    def commit(self) -> None:
        """Flush, then commit (RELEASE SAVEPOINT for a nested transaction)."""
        self._assert_active()
        session = self.session
        session._flush_if_needed()
        session.dispatch.before_commit(session)
        if self.nested:
            for _conn, trans, _own in self._connections.values():
                trans.commit()
            parent = self._parent
            assert parent is not None
            parent._new.update(self._new)
            parent._deleted.update(self._deleted)
        else:
            for conn, trans, own in self._connections.values():
                if trans is not None:
                    trans.commit()
                if own:
                    conn.close()
            self._connections.clear()
            session._after_root_commit(self)
        self._state = _TxState.COMMITTED
        session.dispatch.after_commit(session)
        self._end()

    def rollback(self, _error: BaseException | None = None) -> None:
        """Roll back (to the SAVEPOINT for a nested transaction) and restore object states."""
        session = self.session
        if self._state is _TxState.ACTIVE or self._state is _TxState.DEACTIVE:
            self._rollback_db()
        session._after_rollback(self)
        self._state = _TxState.CLOSED
        session.dispatch.after_rollback(session)
        self._end()

    def _rollback_db(self) -> None:
        if self.nested:
            for _conn, trans, _own in self._connections.values():
                if trans.is_active:
                    trans.rollback()
        else:
            for conn, trans, own in self._connections.values():
                if trans is not None and trans.is_active:
                    trans.rollback()
                if own:
                    conn.close()
            self._connections.clear()

    def _deactivate(self, error: BaseException) -> None:
        """A flush failed: roll the database work back now, refuse use until rollback()."""
        self._rollback_db()
        self._state = _TxState.DEACTIVE
        self._rollback_exception = error

    def close(self) -> None:
        """Roll back whatever is open and end this transaction (and its parents' use)."""
        if self._state in (_TxState.ACTIVE, _TxState.DEACTIVE):
            self._rollback_db()
        self._state = _TxState.CLOSED
        self._end()

    def _end(self) -> None:
        session = self.session
        if session._transaction is self:
            session._transaction = self._parent
        session.dispatch.after_transaction_end(session, self)

    # -- context manager ---------------------------------------------------------------

    def __enter__(self) -> SessionTransaction:
        return self

    def __exit__(
        self,
        type_: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state is _TxState.COMMITTED or self._state is _TxState.CLOSED:
            return
        if type_ is None:
            try:
                self.commit()
            except BaseException:
                self.rollback()
                raise
        else:
            self.rollback()

    def __repr__(self) -> str:
        return f"<SessionTransaction {self.origin.name} {self._state.value}>"
