"""``query_property()``: ``User.query`` as a legacy Query of the class in the current Session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from .scoped import scoped_session

__all__ = ["QueryPropertyDescriptor", "query_property"]


class QueryPropertyDescriptor:
    """Class attribute whose value is a new Query of the owning class, on each access.

    Reached on the class or an instance; the Query runs in the scoped session's current
    Session.  With ``query_cls``, the Query is ``query_cls((cls,), session=session)``.
    """

    def __init__(self, scoped: scoped_session[Any], query_cls: Callable[..., Any] | None) -> None:
        self.scoped = scoped
        self.query_cls = query_cls

    def __get__(self, instance: object, owner: type[Any]) -> Any:
        session = self.scoped.registry()
        if self.query_cls is not None:
            # accord's Query takes a tuple of entities (SQLAlchemy's takes one or several)
            return self.query_cls((owner,), session=session)
        return session.query(owner)


def query_property(
    scoped: scoped_session[Any], query_cls: Callable[..., Any] | None = None
) -> QueryPropertyDescriptor:
    """``scoped.query_property(query_cls)`` as a function: ``User.query = query_property(S)``."""
    return QueryPropertyDescriptor(scoped, query_cls)
