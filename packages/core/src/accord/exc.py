"""Every error accord raises, in one hierarchy.

::

    AccordError
    ├── ArgumentError
    │   └── NoSuchModuleError
    ├── CompileError
    │   └── UnsupportedCompilationError
    ├── InvalidRequestError
    │   ├── NoResultFound
    │   ├── MultipleResultsFound
    │   ├── ResourceClosedError
    │   ├── PendingRollbackError
    │   ├── NoInspectionAvailable
    │   ├── NoSuchTableError
    │   ├── NoReferencedTableError
    │   ├── NoReferencedColumnError
    │   ├── UnboundExecutionError
    │   ├── ObjectDeletedError
    │   ├── DetachedInstanceError
    │   ├── UnmappedError
    │   │   ├── UnmappedInstanceError
    │   │   └── UnmappedClassError
    │   ├── ObjectNotExecutableError
    │   └── TimeoutError
    ├── DisconnectionError
    ├── CircularDependencyError
    ├── StaleDataError
    │   └── ConcurrentModificationError
    ├── FlushError
    └── StatementError
        └── DBAPIError
            ├── InterfaceError
            └── DatabaseError
                ├── DataError
                ├── OperationalError
                ├── IntegrityError
                ├── InternalError
                ├── ProgrammingError
                └── NotSupportedError

``DBAPIError`` and its subclasses wrap the driver's own exception (``.orig``) together
with the statement and parameters that caused it.  Their ``str()`` never shows more
than the statement and (unless ``hide_parameters``) a short form of the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AccordError",
    "ArgumentError",
    "CircularDependencyError",
    "CompileError",
    "ConcurrentModificationError",
    "DBAPIError",
    "DataError",
    "DatabaseError",
    "DetachedInstanceError",
    "DisconnectionError",
    "FlushError",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "InvalidRequestError",
    "MultipleResultsFound",
    "NoInspectionAvailable",
    "NoReferencedColumnError",
    "NoReferencedTableError",
    "NoResultFound",
    "NoSuchModuleError",
    "NoSuchTableError",
    "NotSupportedError",
    "ObjectDeletedError",
    "ObjectNotExecutableError",
    "OperationalError",
    "PendingRollbackError",
    "ProgrammingError",
    "ResourceClosedError",
    "StaleDataError",
    "StatementError",
    "TimeoutError",
    "UnboundExecutionError",
    "UnmappedClassError",
    "UnmappedError",
    "UnmappedInstanceError",
    "UnsupportedCompilationError",
]


class AccordError(Exception):
    """Base class of every error raised by accord."""


class ArgumentError(AccordError):
    """A function or constructor was given an argument it cannot use."""


class NoSuchModuleError(ArgumentError):
    """A dialect or driver named by a URL is not installed; the message names the package."""


class CompileError(AccordError):
    """A statement could not be turned into SQL for the dialect at hand."""


class UnsupportedCompilationError(CompileError):
    """The dialect's compiler has no rendering for this construct."""

    def __init__(self, compiler: object, element_type: type, message: str | None = None) -> None:
        text = f"Compiler {compiler!r} can't render element of type {element_type.__name__}"
        super().__init__(f"{text} ({message})" if message else text)


class InvalidRequestError(AccordError):
    """The call is not valid in the current state of the object it was made on."""


class NoResultFound(InvalidRequestError):
    """A result expected to hold exactly one row held none."""


class MultipleResultsFound(InvalidRequestError):
    """A result expected to hold at most one row held more."""


class ResourceClosedError(InvalidRequestError):
    """The connection, transaction, result or session is already closed."""


class PendingRollbackError(InvalidRequestError):
    """The transaction failed earlier and must be rolled back before further use."""


class NoInspectionAvailable(InvalidRequestError):
    """``inspect()`` was given an object that has no inspector registered."""


class NoSuchTableError(InvalidRequestError):
    """A table named in a request does not exist."""


class NoReferencedTableError(InvalidRequestError):
    """A ForeignKey names a table that is not in the MetaData."""

    def __init__(self, message: str, tname: str) -> None:
        super().__init__(message)
        self.table_name = tname


class NoReferencedColumnError(InvalidRequestError):
    """A ForeignKey names a column that its table does not have."""

    def __init__(self, message: str, tname: str, cname: str) -> None:
        super().__init__(message)
        self.table_name = tname
        self.column_name = cname


class UnboundExecutionError(InvalidRequestError):
    """Execution was requested of something with no engine or connection to run on."""


class ObjectDeletedError(InvalidRequestError):
    """Refreshing or loading an object found that its row is gone from the database."""


class DetachedInstanceError(InvalidRequestError):
    """An attribute needs loading but the object belongs to no session."""


class UnmappedError(InvalidRequestError):
    """An operation needed a mapped class or instance and got something else."""


class UnmappedInstanceError(UnmappedError):
    """An object was given where a mapped instance was required."""


class UnmappedClassError(UnmappedError):
    """A class was given where a mapped class was required."""


class ObjectNotExecutableError(ArgumentError):
    """Something that is not a statement was passed to ``execute()``."""

    def __init__(self, target: object) -> None:
        super().__init__(f"Not an executable object: {target!r}")
        self.target = target


class TimeoutError(InvalidRequestError):  # shadows the builtin: the documented public name
    """No connection could be had from the pool within ``pool_timeout``."""


class DisconnectionError(AccordError):
    """A connection was found dead (for example by pre-ping); the pool should retry."""

    invalidate_pool: bool = False


class CircularDependencyError(AccordError):
    """A dependency sort (DDL order, flush order) found a cycle it cannot break."""

    def __init__(self, message: str, cycles: Any = None, edges: Any = None) -> None:
        super().__init__(message)
        self.cycles = cycles
        self.edges = edges


class StaleDataError(AccordError):
    """An UPDATE or DELETE matched a different number of rows than the session expected."""


class ConcurrentModificationError(StaleDataError):
    """A version check showed that another transaction changed the row."""


class FlushError(AccordError):
    """The unit of work could not complete a flush."""


def _short_params(params: Any) -> str:
    """A bounded repr of statement parameters for an error message."""
    is_many = (
        isinstance(params, Sequence)
        and not isinstance(params, (str, bytes))
        and len(params) > 1
        and isinstance(params[0], (dict, tuple, list))
    )
    if is_many:
        shown = ", ".join(repr(p) for p in params[:3])
        more = f" ... {len(params) - 3} more" if len(params) > 3 else ""
        return f"[{shown}{more}]"
    text = repr(params)
    return text if len(text) < 300 else text[:300] + " ...]"


class StatementError(AccordError):
    """An error raised while running a statement; carries the statement and parameters."""

    def __init__(
        self,
        message: str,
        statement: str | None,
        params: Any,
        orig: BaseException | None,
        hide_parameters: bool = False,
        ismulti: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.statement = statement
        self.params = params
        self.orig = orig
        self.hide_parameters = hide_parameters
        self.ismulti = ismulti
        self.detail: list[str] = []

    def add_detail(self, msg: str) -> None:
        """Attach one more line of explanation shown under the message."""
        self.detail.append(msg)

    def __str__(self) -> str:
        lines = [self.args[0] if self.args else ""]
        lines.extend(f"({d})" for d in self.detail)
        if self.statement:
            lines.append(f"[SQL: {self.statement}]")
            if self.params is not None and self.params != () and self.params != {}:
                if self.hide_parameters:
                    lines.append("[SQL parameters hidden due to hide_parameters=True]")
                else:
                    lines.append(f"[parameters: {_short_params(self.params)}]")
        return "\n".join(lines)

    def __reduce__(self) -> Any:
        return (
            self.__class__,
            (self.args[0] if self.args else "", self.statement, self.params, self.orig),
        )


class DBAPIError(StatementError):
    """A driver (DBAPI) exception raised during execution, wrapped with its statement.

    ``orig`` is the driver's exception. The concrete class follows the driver's
    exception class name (``IntegrityError``, ``OperationalError``...).
    """

    code = "dbapi"
    connection_invalidated: bool

    @classmethod
    def instance(
        cls,
        statement: str | None,
        params: Any,
        orig: BaseException,
        dbapi_base_err: type[BaseException] | None = None,
        hide_parameters: bool = False,
        connection_invalidated: bool = False,
        ismulti: bool | None = None,
    ) -> StatementError:
        """Wrap ``orig`` in the accord class whose name matches the driver's error class."""
        if dbapi_base_err is not None and not isinstance(orig, dbapi_base_err):
            # Not a DBAPI error at all (e.g. a TypeError from a bind processor).
            return StatementError(
                f"({type(orig).__module__}.{type(orig).__name__}) {orig}",
                statement,
                params,
                orig,
                hide_parameters=hide_parameters,
                ismulti=ismulti,
            )
        glob = globals()
        target: type[DBAPIError] = cls
        for super_ in type(orig).__mro__:
            name = super_.__name__
            found = glob.get(name)
            if isinstance(found, type) and issubclass(found, DBAPIError):
                target = found
                break
        return target(
            statement,
            params,
            orig,
            hide_parameters=hide_parameters,
            connection_invalidated=connection_invalidated,
            ismulti=ismulti,
        )

    def __init__(
        self,
        statement: str | None,
        params: Any,
        orig: BaseException | None,
        hide_parameters: bool = False,
        connection_invalidated: bool = False,
        ismulti: bool | None = None,
    ) -> None:
        if orig is None:
            text = "(no driver exception)"
        else:
            text = f"({type(orig).__module__}.{type(orig).__name__}) {orig}"
        super().__init__(text, statement, params, orig, hide_parameters, ismulti)
        self.connection_invalidated = connection_invalidated

    def __reduce__(self) -> Any:
        return (self.__class__, (self.statement, self.params, self.orig))


class InterfaceError(DBAPIError):
    """Wraps the driver's ``InterfaceError``."""


class DatabaseError(DBAPIError):
    """Wraps the driver's ``DatabaseError``."""


class DataError(DatabaseError):
    """Wraps the driver's ``DataError``."""


class OperationalError(DatabaseError):
    """Wraps the driver's ``OperationalError`` (lost connections, locks, ...)."""


class IntegrityError(DatabaseError):
    """Wraps the driver's ``IntegrityError`` (constraint violations)."""


class InternalError(DatabaseError):
    """Wraps the driver's ``InternalError``."""


class ProgrammingError(DatabaseError):
    """Wraps the driver's ``ProgrammingError`` (bad SQL, missing tables, ...)."""


class NotSupportedError(DatabaseError):
    """Wraps the driver's ``NotSupportedError``."""
