"""Connection-level transactions: root, nested (SAVEPOINT) and two-phase."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from accord.exc import InvalidRequestError, ResourceClosedError

if TYPE_CHECKING:
    from types import TracebackType

    from accord.engine.base import Connection

__all__ = ["NestedTransaction", "RootTransaction", "Transaction", "TwoPhaseTransaction"]

_T = TypeVar("_T", bound="Transaction")


class Transaction:
    """A transaction on a ``Connection``; use as a context manager or call commit/rollback.

    Leaving the ``with`` block commits, unless an exception escaped it (then it rolls
    back). A transaction that was ended cannot be ended again, except that ``rollback()``
    and ``close()`` are no-ops once inactive.
    """

    connection: Connection
    is_active: bool
    # Deactivated but not yet rolled back (an inner transaction failed): must roll back.
    _deactivated_from_connection: bool = False

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.is_active = True

    @property
    def is_valid(self) -> bool:
        """True when active and the connection was not invalidated."""
        return self.is_active and not self.connection.invalidated

    def commit(self) -> None:
        """Commit this transaction (RELEASE for a savepoint)."""
        try:
            self._do_commit()
        finally:
            assert not self.is_active

    def rollback(self) -> None:
        """Roll back this transaction (ROLLBACK TO SAVEPOINT for a savepoint)."""
        try:
            self._do_rollback()
        finally:
            assert not self.is_active

    def close(self) -> None:
        """End the transaction: roll back if still active."""
        try:
            self._do_close()
        finally:
            assert not self.is_active

    def _do_commit(self) -> None:
        raise NotImplementedError

    def _do_rollback(self) -> None:
        raise NotImplementedError

    def _do_close(self) -> None:
        raise NotImplementedError

    def _check_commit(self) -> None:
        if self.connection.closed:
            raise ResourceClosedError("This Connection is closed")
        if not self.is_active:
            if self._deactivated_from_connection:
                raise InvalidRequestError(
                    "This transaction is inactive because an inner transaction was rolled "
                    "back; roll it back before doing anything else"
                )
            raise InvalidRequestError("This transaction is inactive (already ended)")

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(
        self,
        type_: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if type_ is None and self.is_active:
            try:
                self.commit()
            except BaseException:
                if self.is_active:
                    self.rollback()
                raise
        elif self.is_active or self._deactivated_from_connection:
            self.rollback()
        elif self.connection._transaction is self and not self.is_active:
            self.connection._transaction = None

    def __repr__(self) -> str:
        state = "active" if self.is_active else "inactive"
        return f"<{type(self).__name__} {state} at 0x{id(self):x}>"


class RootTransaction(Transaction):
    """The outermost transaction of a connection: BEGIN ... COMMIT / ROLLBACK."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        connection._begin_impl(self)
        connection._transaction = self

    def _deactivate(self) -> None:
        self.is_active = False
        # Ending the root ends every savepoint inside it.
        nested = self.connection._nested_transaction
        while nested is not None:
            nested.is_active = False
            nested = nested._previous_nested

    def _do_commit(self) -> None:
        conn = self.connection
        if not self.is_active:
            self._check_commit()
        # An open savepoint is released implicitly by the COMMIT (and deactivated below).
        try:
            conn._commit_impl()
        finally:
            self._deactivate()
            if conn._transaction is self:
                conn._transaction = None
            conn._nested_transaction = None

    def _do_rollback(self) -> None:
        conn = self.connection
        was_connected = self.is_active or self._deactivated_from_connection
        self._deactivate()
        self._deactivated_from_connection = False
        try:
            if was_connected and conn._transaction is self:
                conn._rollback_impl()
        finally:
            if conn._transaction is self:
                conn._transaction = None
            conn._nested_transaction = None

    def _do_close(self) -> None:
        self._do_rollback()


class NestedTransaction(Transaction):
    """A SAVEPOINT inside the root transaction; rollback undoes only its own work."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._previous_nested = connection._nested_transaction
        self._savepoint = connection._savepoint_impl()
        connection._nested_transaction = self

    @property
    def name(self) -> str:
        """The SAVEPOINT name."""
        return self._savepoint

    def _cancel(self) -> None:
        conn = self.connection
        if conn._nested_transaction is self:
            conn._nested_transaction = self._previous_nested
        else:
            # An outer savepoint ended first; this one is gone with it.
            pass
        self.is_active = False

    def _do_commit(self) -> None:
        conn = self.connection
        self._check_commit()
        if conn._nested_transaction is not self:
            raise InvalidRequestError(
                "This savepoint is not the innermost one; commit or roll back the inner "
                "savepoints first"
            )
        try:
            conn._release_savepoint_impl(self._savepoint)
        finally:
            self._cancel()

    def _do_rollback(self) -> None:
        conn = self.connection
        if not self.is_active:
            self._cancel()
            return
        # Inner savepoints end together with this one.
        inner = conn._nested_transaction
        while inner is not None and inner is not self:
            inner.is_active = False
            inner = inner._previous_nested
        conn._nested_transaction = self
        try:
            if conn._transaction is not None and conn._transaction.is_active:
                conn._rollback_to_savepoint_impl(self._savepoint)
        finally:
            self._cancel()

    def _do_close(self) -> None:
        self._do_rollback()


class TwoPhaseTransaction(RootTransaction):
    """A root transaction with an explicit ``prepare()`` step (XA / PREPARE TRANSACTION)."""

    def __init__(self, connection: Connection, xid: Any) -> None:
        self._is_prepared = False
        self.xid = xid
        super().__init__(connection)

    def _begin_twophase(self) -> None:
        self.connection._begin_twophase_impl(self)

    def prepare(self) -> None:
        """Prepare (phase one); ``commit()`` then finishes it."""
        if not self.is_active:
            raise InvalidRequestError("This two-phase transaction is not active")
        self.connection._prepare_twophase_impl(self.xid)
        self._is_prepared = True

    def _do_commit(self) -> None:
        conn = self.connection
        self._check_commit()
        try:
            conn._commit_twophase_impl(self.xid, self._is_prepared)
        finally:
            self._deactivate()
            if conn._transaction is self:
                conn._transaction = None

    def _do_rollback(self) -> None:
        conn = self.connection
        was_active = self.is_active or self._deactivated_from_connection
        self._deactivate()
        try:
            if was_active and conn._transaction is self:
                conn._rollback_twophase_impl(self.xid, self._is_prepared)
        finally:
            if conn._transaction is self:
                conn._transaction = None
