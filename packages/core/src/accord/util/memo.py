"""Memoized attributes: computed on first access, then stored on the instance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["memoized_property"]

_T = TypeVar("_T")


class memoized_property(Generic[_T]):
    """A read-only property computed once per instance (stored in the instance's __dict__)."""

    def __init__(self, fget: Callable[[Any], _T]) -> None:
        self.fget = fget
        self.__name__ = fget.__name__
        self.__doc__ = fget.__doc__

    @overload
    def __get__(self, obj: None, cls: Any) -> memoized_property[_T]: ...

    @overload
    def __get__(self, obj: object, cls: Any) -> _T: ...

    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            return self
        obj.__dict__[self.__name__] = result = self.fget(obj)
        return result

    def reset(self, obj: Any) -> None:
        """Forget the stored value so the next access recomputes it."""
        obj.__dict__.pop(self.__name__, None)
