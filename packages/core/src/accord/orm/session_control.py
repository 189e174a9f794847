"""The Session's transaction and connection control: begin, commit, connection, get_bind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from accord import exc
from accord.orm import session_binds
from accord.orm.session_transaction import (
    SessionTransaction,
    SessionTransactionOrigin,
    SessionTransactionState,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accord.orm.identity import IdentityMap
    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__: list[str] = []

_ACTIVE = SessionTransactionState.ACTIVE


class _TransactionControl:
    """``Session`` methods that begin, end and inspect its transactions (see transactions.md)."""

    if TYPE_CHECKING:
        autobegin: bool
        _transaction: SessionTransaction | None
        _nested_transaction: SessionTransaction | None
        _new: dict[InstanceState, Any]
        _deleted: dict[InstanceState, Any]
        identity_map: IdentityMap

        def _flush_if_needed(self) -> None: ...

    def _autobegin_t(self, begin: bool = False) -> SessionTransaction:
        trans = self._transaction
        if trans is None:
            if not begin and not self.autobegin:
                raise exc.InvalidRequestError(
                    "Autobegin is disabled on this Session; call session.begin() to start "
                    "a new transaction"
                )
            trans = SessionTransaction(
                cast("Session", self),
                SessionTransactionOrigin.BEGIN if begin else SessionTransactionOrigin.AUTOBEGIN,
            )
        return trans

    def begin(self, nested: bool = False) -> SessionTransaction:
        """Begin the root transaction explicitly (an error if one is already in progress)."""
        trans = self._transaction
        if trans is None:
            trans = self._autobegin_t(begin=True)
            if not nested:
                return trans
        elif not nested:
            raise exc.InvalidRequestError(
                "A transaction is already begun on this Session (explicitly or by autobegin); "
                "commit() or rollback() it first, or use begin_nested() for a SAVEPOINT"
            )
        trans._assert_active()
        self._flush_if_needed()  # what the SAVEPOINT's rollback returns to is in the database
        return self._autobegin_t()._begin(nested=True)

    def begin_nested(self) -> SessionTransaction:
        """Flush, then begin a SAVEPOINT; its commit releases it, its rollback returns to it."""
        return self.begin(nested=True)

    def get_transaction(self) -> SessionTransaction | None:
        """The root transaction in progress, or None."""
        t = self._transaction
        return None if t is None else t._root()

    def get_nested_transaction(self) -> SessionTransaction | None:
        """The innermost SAVEPOINT transaction in progress, or None."""
        return self._nested_transaction

    def in_transaction(self) -> bool:
        """True if a transaction is in progress."""
        return self._transaction is not None

    def in_nested_transaction(self) -> bool:
        """True if a SAVEPOINT is in progress."""
        return self._nested_transaction is not None

    @property
    def is_active(self) -> bool:
        """False only while a rolled-back transaction waits for ``rollback()``."""
        return self._transaction is None or self._transaction.is_active

    def commit(self) -> None:
        """Flush and commit the root transaction (releasing SAVEPOINTs); expire objects."""
        trans = self._transaction
        if trans is None:
            trans = self._autobegin_t()
        trans.commit(_to_root=True)

    def prepare(self) -> None:
        """Flush and prepare every connection of a ``twophase=True`` Session (phase one)."""
        trans = self._transaction
        if trans is None:
            trans = self._autobegin_t()
        trans.prepare()

    def rollback(self) -> None:
        """Roll back the whole transaction: pending objects expunged, persistent ones expired."""
        if self._transaction is not None:
            self._transaction.rollback(_to_root=True)

    def invalidate(self) -> None:
        """Close the Session, invalidating its connections instead of returning them.

        For a Session whose connections may be unusable (a worker shutting down, a
        suspected broken link): the pool discards them rather than resetting them.
        """
        trans = self._transaction
        if trans is not None:
            for link in trans._root()._connections.values():
                conn = link.connection
                if not conn.closed and not conn.invalidated:
                    conn.invalidate()
        cast("Session", self).close()

    def _is_clean(self) -> bool:
        return not (self._new or self._deleted or self.identity_map._modified)

    def connection(
        self,
        bind_arguments: Mapping[str, Any] | None = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """The Connection of the current transaction for a bind (autobegun if needed).

        ``execution_options`` (e.g. ``isolation_level``) apply to the connection when the
        transaction first checks it out; given later they are an error.
        """
        args = dict(bind_arguments or {})
        bind = args.pop("bind", None)
        if bind is None:
            bind = self.get_bind(**args)
        return self._autobegin_t().connection(bind, execution_options)

    def _connection_for(self, bind: Any) -> Any:
        trans = self._transaction or self._autobegin_t()
        if trans._state is not _ACTIVE:
            trans._assert_active()
        link = trans._connections.get(bind)
        if link is not None:
            return link.connection
        return trans._connection_for_bind(bind, None)

    def bind_mapper(self, mapper: Any, bind: Any) -> None:
        """Route statements for a mapped class (or Mapper) and its table to ``bind``."""
        target = session_binds.require_mapper(mapper, "bind_mapper()")
        session_binds.add_bind(cast("Session", self), target, bind)

    def bind_table(self, table: Any, bind: Any) -> None:
        """Route statements on ``table`` to ``bind``."""
        if not session_binds.is_table(table):
            raise exc.ArgumentError(f"bind_table() takes a Table, not {table!r}")
        session_binds.add_bind(cast("Session", self), table, bind)

    def get_bind(
        self, mapper: Any = None, *, clause: Any = None, bind: Any = None, **kw: Any
    ) -> Any:
        """The Engine or Connection that statements for ``mapper`` (or ``clause``) run on.

        Looks in ``binds`` for the mapped class and its bases (mixins, the declarative
        base), then for the tables of ``clause`` (or the mapper's table), then falls back
        to ``bind``.  Override it in a subclass to route by other rules: when the ORM
        loads or refreshes attributes of one persistent object it also passes
        ``instance=`` (the object), which this implementation ignores (``**kw``).
        """
        return session_binds.get_bind(cast("Session", self), mapper, clause, bind)
