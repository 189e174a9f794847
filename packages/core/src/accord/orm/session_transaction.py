"""``SessionTransaction``: a Session's root transaction, its SAVEPOINTs and flush scopes."""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING, Any

from accord import exc

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import TracebackType

    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "JOIN_TRANSACTION_MODES",
    "SessionTransaction",
    "SessionTransactionOrigin",
    "SessionTransactionState",
]

logger = logging.getLogger(__name__)


class SessionTransactionOrigin(enum.Enum):
    """How a SessionTransaction came to be."""

    AUTOBEGIN = 0
    """Begun by the first operation that needed a transaction."""
    BEGIN = 1
    """Begun by ``Session.begin()``."""
    BEGIN_NESTED = 2
    """Begun by ``Session.begin_nested()``: a SAVEPOINT."""
    SUBTRANSACTION = 3
    """An internal scope inside a transaction (each flush runs in one)."""


class SessionTransactionState(enum.Enum):
    """Where a SessionTransaction is in its life."""

    ACTIVE = 1
    PREPARED = 2  # two-phase: every connection prepared, commit not yet sent
    COMMITTED = 3
    DEACTIVE = 4  # rolled back underneath (a failed flush): only rollback() is allowed
    CLOSED = 5


# How a Session bound to a Connection that is already in a transaction uses it:
# "conservative_savepoint" acts as "rollback_only", or as "create_savepoint" when the
# Connection is inside a SAVEPOINT; "create_savepoint" runs the Session's transactions in a
# SAVEPOINT of their own; "rollback_only" rolls the given transaction back on rollback()
# but never commits or closes it; "control_fully" commits, rolls back and closes it.
JOIN_TRANSACTION_MODES = (
    "conservative_savepoint",
    "create_savepoint",
    "rollback_only",
    "control_fully",
)

_ACTIVE = SessionTransactionState.ACTIVE
_PREPARED = SessionTransactionState.PREPARED
_COMMITTED = SessionTransactionState.COMMITTED
_DEACTIVE = SessionTransactionState.DEACTIVE
_CLOSED = SessionTransactionState.CLOSED


class _Link:
    """One connection of a transaction level and what this level does with it."""

    __slots__ = ("autoclose", "connection", "should_commit", "transaction")

    def __init__(
        self, connection: Any, transaction: Any, should_commit: bool, autoclose: bool
    ) -> None:
        self.connection = connection
        self.transaction = transaction  # the engine Transaction (root, SAVEPOINT, two-phase)
        self.should_commit = should_commit  # False: a joined transaction we only roll back
        self.autoclose = autoclose  # the Session checked the connection out: close it at the end


class SessionTransaction:
    """One level of a Session's transaction: the root, a SAVEPOINT, or a flush's scope.

    The root holds one ``Connection`` (and its engine transaction) per bind, made on first
    use; a ``begin_nested()`` level opens a SAVEPOINT on a connection when it first uses
    it.  Each boundary level (root or SAVEPOINT) remembers the objects its flushes
    inserted, updated and deleted, so that its rollback can undo exactly those object
    states.  A subtransaction (``origin`` SUBTRANSACTION) shares its parent's.
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
        if self.nested and parent is None:
            raise exc.InvalidRequestError(
                "Can't start a SAVEPOINT transaction when no existing transaction is in progress"
            )
        self._state = _ACTIVE
        self._rollback_exception: BaseException | None = None
        self._rollback_during = "flush"
        self._connections: dict[Any, _Link] = {}
        self._new: dict[InstanceState, Any]  # inserted by a flush at this level
        self._deleted: dict[InstanceState, Any]  # rows deleted by a flush at this level
        self._dirty: dict[InstanceState, Any]  # rows updated by a flush at this level
        if parent is not None and not self.nested:
            self._new, self._deleted, self._dirty = parent._new, parent._deleted, parent._dirty
        else:
            self._new, self._deleted, self._dirty = {}, {}, {}
        self._previous_nested: SessionTransaction | None = None
        if self.nested:
            self._previous_nested = session._nested_transaction
            session._nested_transaction = self
        session._transaction = self
        if session.dispatch.after_transaction_create:
            session.dispatch.after_transaction_create(session, self)
        # A SAVEPOINT is emitted (and after_begin fired) on a connection only when this
        # level first uses it (_connection_for_bind), as SQLAlchemy does: a begin_nested()
        # that runs no SQL emits none.

    # -- what it is --------------------------------------------------------------------

    @property
    def parent(self) -> SessionTransaction | None:
        """The enclosing transaction, or None for the root (a real COMMIT / ROLLBACK)."""
        return self._parent

    @property
    def is_active(self) -> bool:
        """True while statements may run in it."""
        return self._state is _ACTIVE

    @property
    def _is_boundary(self) -> bool:
        return self._parent is None or self.nested

    def _root(self) -> SessionTransaction:
        t = self
        while t._parent is not None:
            t = t._parent
        return t

    def _iterate_self_and_parents(
        self, upto: SessionTransaction | None = None
    ) -> Iterator[SessionTransaction]:
        t: SessionTransaction | None = self
        while t is not None and t is not upto:
            yield t
            t = t._parent
        if upto is not None and t is None:
            raise exc.InvalidRequestError(f"Transaction {upto} is not on the active stack")

    def _assert_active(self, prepared_ok: bool = False) -> None:
        state = self._state
        if state is _ACTIVE or (prepared_ok and state is _PREPARED):
            return
        if state is _DEACTIVE:
            if self._rollback_exception is not None:
                raise exc.PendingRollbackError(
                    "This Session's transaction has been rolled back due to a previous "
                    f"exception during {self._rollback_during}. To begin a new transaction "
                    "with this Session, first issue Session.rollback(). Original exception was: "
                    f"{self._rollback_exception}"
                )
            raise exc.PendingRollbackError(
                "This Session's transaction is inactive: its SQL transaction was rolled "
                "back; call Session.rollback() before using the Session again"
            )
        if state is _CLOSED:
            raise exc.ResourceClosedError("This transaction is closed")
        raise exc.InvalidRequestError(
            f"This session is in '{state.name.lower()}' state; no further SQL can be emitted "
            "within this transaction"
        )

    # -- connections -------------------------------------------------------------------

    def connection(
        self, bind: Any = None, execution_options: Mapping[str, Any] | None = None
    ) -> Any:
        """The Connection for ``bind`` in this transaction (begun on first use).

        ``bind`` is an Engine or Connection, or a mapped class / Mapper (or None) resolved
        through ``Session.get_bind()``.
        """
        self._assert_active()
        if not (hasattr(bind, "connect") or hasattr(bind, "in_transaction")):
            bind = self.session.get_bind(bind)
        return self._connection_for_bind(bind, execution_options)

    def _connection_for_bind(self, bind: Any, execution_options: Mapping[str, Any] | None) -> Any:
        link = self._connections.get(bind)
        if link is not None:
            if execution_options:
                raise exc.InvalidRequestError(
                    "execution_options can only be given before the transaction's first "
                    f"statement on {bind!r}; a connection is already established for it"
                )
            return link.connection
        parent = self._parent
        if parent is not None:
            conn = parent._connection_for_bind(bind, execution_options)
            if not self.nested:
                return conn
            trans = conn.begin_nested()
            self._connections[bind] = _Link(conn, trans, True, False)
            if self.session.dispatch.after_begin:
                self.session.dispatch.after_begin(self.session, self, conn)
            return conn
        return self._root_connection(bind, execution_options)

    def _root_connection(self, bind: Any, execution_options: Mapping[str, Any] | None) -> Any:
        session = self.session
        local = not hasattr(bind, "in_transaction")  # an Engine: check a connection out
        conn = bind.connect() if local else bind
        should_commit = True
        try:
            if execution_options:
                conn = conn.execution_options(**execution_options)
            if session.twophase:
                if conn.in_transaction():
                    raise exc.InvalidRequestError(
                        "Session(twophase=True) can't join a Connection that is already in "
                        "a transaction"
                    )
                if not conn.dialect.supports_two_phase:
                    raise exc.InvalidRequestError(
                        f"Session(twophase=True) needs two-phase transactions, which the "
                        f"{conn.dialect.name} dialect does not support; nothing was written"
                    )
                trans = conn.begin_twophase()
            elif conn.in_transaction():
                trans, should_commit = _join(conn, session.join_transaction_mode)
            else:
                trans = conn.begin()
        except BaseException:
            if local:
                conn.close()
            raise
        self._connections[bind] = _Link(conn, trans, should_commit, local)
        if session.dispatch.after_begin:
            session.dispatch.after_begin(session, self, conn)
        return conn

    # -- beginning a child -------------------------------------------------------------

    def _begin(self, nested: bool = False) -> SessionTransaction:
        self._assert_active()
        origin = (
            SessionTransactionOrigin.BEGIN_NESTED
            if nested
            else SessionTransactionOrigin.SUBTRANSACTION
        )
        return SessionTransaction(self.session, origin, self)

    # -- ending ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Prepare the root transaction of a ``twophase=True`` Session (phase one)."""
        if self._parent is not None or not self.session.twophase:
            raise exc.InvalidRequestError(
                "'twophase' mode not enabled, or not the root transaction; can't prepare"
            )
        self._prepare_impl()

    def _prepare_impl(self) -> None:
        self._assert_active()
        session = self.session
        if self._is_boundary and session.dispatch.before_commit:
            session.dispatch.before_commit(session)
        current = session._transaction
        if current is not None and current is not self:
            for inner in list(current._iterate_self_and_parents(upto=self)):
                inner.commit()
        if not session._flushing:
            for attempt in range(100):
                if session._is_clean():
                    break
                if not attempt:
                    session.flush()
                    continue
                # work left after a flush (an after_flush hook adding objects?): flush again,
                # unless the flush can't change anything
                left = _left_to_flush(session)
                session.flush()
                if _left_to_flush(session) == left:
                    break
            else:
                raise exc.FlushError(
                    "Over 100 subsequent flushes have occurred within session.commit(); is an "
                    "after_flush() hook creating new objects?"
                )
        if self._parent is None and session.twophase:
            try:
                for link in self._connections.values():
                    link.transaction.prepare()
            except BaseException:
                # phase one failed somewhere: nothing is committed anywhere
                self.rollback()
                raise
        self._state = _PREPARED

    def commit(self, _to_root: bool = False) -> None:
        """Flush, then commit (RELEASE SAVEPOINT for a nested transaction)."""
        self._assert_active(prepared_ok=True)
        if self._state is not _PREPARED:
            self._prepare_impl()
        session = self.session
        if self._is_boundary:
            links = list(self._connections.values())
            for i, link in enumerate(links):
                if not (link.should_commit and link.transaction.is_active):
                    continue
                try:
                    link.transaction.commit()
                except BaseException as err:
                    self._commit_failed(err, links[i:])
                    raise
            self._state = _COMMITTED
            if session.dispatch.after_commit:
                session.dispatch.after_commit(session)
            self._remove_snapshot()
        self.close()
        if _to_root and self._parent is not None:
            self._parent.commit(_to_root=True)

    def _commit_failed(self, err: BaseException, rest: list[_Link]) -> None:
        """A commit failed on one connection: roll back those not committed yet.

        Without two-phase the connections before it stay committed (ordered, best effort).
        A two-phase branch whose COMMIT PREPARED failed may still be prepared on its
        server; its connection is discarded and the branch is left for
        ``recover_twophase()``.
        """
        failed = rest[0]
        if self.session.twophase and self._parent is None:
            try:
                failed.connection.invalidate(err)
            except Exception:  # already closed: nothing more to discard
                logger.debug("could not invalidate the failed two-phase connection")
        for link in rest[1:]:
            if link.transaction.is_active:
                try:
                    link.transaction.rollback()
                except Exception:
                    logger.warning("rollback after a failed commit also failed", exc_info=True)
        self._state = _DEACTIVE
        self._rollback_exception = err
        self._rollback_during = "commit"
        if self.session.dispatch.after_rollback:
            self.session.dispatch.after_rollback(self.session)
        self._restore_snapshot(dirty_only=self.nested)

    def rollback(
        self, _capture_exception: BaseException | None = None, _to_root: bool = False
    ) -> None:
        """Roll back (to the SAVEPOINT for a nested transaction) and restore object states."""
        if self._state is _CLOSED:
            return
        session = self.session
        current = session._transaction
        if current is not None and current is not self:
            for inner in list(current._iterate_self_and_parents(upto=self)):
                inner._merge_into_parent()
                inner.close()
        boundary = self
        rollback_error: BaseException | None = None
        if self._state in (_ACTIVE, _PREPARED):
            for t in self._iterate_self_and_parents():
                if t._is_boundary:
                    try:
                        t._rollback_connections()
                    except BaseException as err:  # still end the level, then raise
                        rollback_error = err
                    t._state = _DEACTIVE
                    if rollback_error is None and session.dispatch.after_rollback:
                        session.dispatch.after_rollback(session)
                    # (a failed flush too: its pending objects are expunged and the
                    # others expired now, as SQLAlchemy does; rollback() is still needed)
                    t._restore_snapshot(dirty_only=t.nested)
                    boundary = t
                    break
                t._state = _DEACTIVE
        else:
            boundary = self._boundary()
            if not session._is_clean():
                boundary._restore_snapshot(dirty_only=boundary.nested)
        self.close()
        if self._parent is not None and _capture_exception is not None:
            self._parent._rollback_exception = _capture_exception
            self._parent._rollback_during = "flush"
        if rollback_error is not None:
            raise rollback_error
        if session.dispatch.after_soft_rollback:
            session.dispatch.after_soft_rollback(session, self)
        if _to_root and self._parent is not None:
            self._parent.rollback(_to_root=True)

    def _deactivate(self, error: BaseException) -> None:
        """A flush failed inside this transaction: roll back its scope, remembering why."""
        self.rollback(_capture_exception=error)

    def _boundary(self) -> SessionTransaction:
        for t in self._iterate_self_and_parents():
            if t._is_boundary:
                return t
        raise AssertionError("a transaction stack always ends in a root")

    def _rollback_connections(self) -> None:
        error: BaseException | None = None
        for link in self._connections.values():
            if link.transaction.is_active:
                try:
                    link.transaction.rollback()
                except BaseException as err:  # roll back the others before raising
                    error = error or err
        if error is not None:
            raise error

    def _merge_into_parent(self) -> None:
        # an inner level ended by its parent's rollback: the parent undoes its objects too
        parent = self._parent
        if self.nested and parent is not None:
            parent._new.update(self._new)
            parent._deleted.update(self._deleted)
            parent._dirty.update(self._dirty)

    def close(self) -> None:
        """End this level: roll back what it holds open, release its connections."""
        if self._state is _CLOSED:
            return
        session = self.session
        if self.nested:
            session._nested_transaction = self._previous_nested
        if session._transaction is self:
            session._transaction = self._parent
        error: BaseException | None = None
        for link in self._connections.values():
            try:
                if link.should_commit and link.transaction.is_active:
                    link.transaction.close()
                if link.autoclose and self._parent is None:
                    link.connection.close()
            except BaseException as err:  # release the other connections first
                error = error or err
                if link.autoclose and self._parent is None and not link.connection.closed:
                    link.connection.close()
        self._state = _CLOSED
        if session.dispatch.after_transaction_end:
            session.dispatch.after_transaction_end(session, self)
        if error is not None:
            raise error

    # -- object states -----------------------------------------------------------------

    def _remove_snapshot(self) -> None:
        """After a commit: a SAVEPOINT hands its objects to its parent; the root expires."""
        if self.nested:
            self._merge_into_parent()
        elif self._parent is None:
            self.session._after_root_commit(self)
        self._new, self._deleted, self._dirty = {}, {}, {}

    def _restore_snapshot(self, dirty_only: bool) -> None:
        """After a rollback: undo the object states this level's flushes changed.

        Inserted and pending objects become transient, deleted ones persistent again;
        objects the level updated or that hold unflushed changes are expired (a root
        rollback expires every object, a SAVEPOINT rollback only those).
        """
        session = self.session
        idmap = session.identity_map
        dispatch = session.dispatch
        for state in list(self._new):
            idmap.discard(state)
            session._new.pop(state, None)
            state.key = None
            state._detach()
            obj = state.obj()
            if obj is not None and dispatch.persistent_to_transient:
                dispatch.persistent_to_transient(session, obj)
        for state in list(session._new):
            session._expunge_state(state, pending=True)
        for state in list(self._deleted):
            state._deleted = False
            if state.key is None:  # inserted at this level too: transient now (above)
                continue
            obj = state.obj()
            if obj is None:  # collected since (held weakly): nothing to bring back
                continue
            idmap.replace(state)
            if dispatch.deleted_to_persistent:
                dispatch.deleted_to_persistent(session, obj)
        session._deleted.clear()
        if dirty_only:
            modified = idmap._modified
            dirty = self._dirty
            for state in idmap.all_states():
                if state.modified or state in dirty:
                    state._expire(state.dict, modified)
        else:
            session.expire_all()
        self._new, self._deleted, self._dirty = {}, {}, {}

    # -- context manager ---------------------------------------------------------------

    def __enter__(self) -> SessionTransaction:
        return self

    def __exit__(
        self,
        type_: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state is _CLOSED:
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
        return f"<SessionTransaction {self.origin.name} {self._state.name.lower()}>"


def _left_to_flush(session: Session) -> tuple[set[Any], set[Any], set[Any]]:
    return set(session._new), set(session._deleted), set(session.identity_map._modified)


def _join(conn: Any, mode: str) -> tuple[Any, bool]:
    """The engine transaction a Session uses on a Connection already in one, and whether
    the Session may commit (and close) it."""
    if mode == "conservative_savepoint":
        mode = "create_savepoint" if conn.in_nested_transaction() else "rollback_only"
    if mode == "create_savepoint":
        return conn.begin_nested(), True
    # "rollback_only" / "control_fully": the innermost transaction the Connection has
    trans = conn.get_nested_transaction() if conn.in_nested_transaction() else None
    if trans is None:
        trans = conn.get_transaction()
    return trans, mode == "control_fully"
