"""Walking and rewriting expression trees: iterate, replacement_traverse, alias adaptation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.sql.elements import ClauseElement, ColumnElement

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["adapt_to_selectable", "iterate", "replacement_traverse"]


def iterate(element: ClauseElement) -> Iterator[ClauseElement]:
    """``element`` and everything below it, depth first, each once."""
    seen: set[int] = set()
    stack = [element]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(reversed(list(e.get_children())))


def replacement_traverse(element: Any, replace: Callable[[Any], ClauseElement | None]) -> Any:
    """A copy of ``element`` where ``replace(sub)`` returned an element for ``sub``.

    ``replace`` returns None to keep (and descend into) a sub-element. Only the paths that
    lead to a replacement are copied; everything else is shared with the original.
    """

    def clone(e: Any) -> Any:
        new = replace(e)
        if new is not None:
            return new
        copy_internals = getattr(e, "_copy_internals", None)
        if copy_internals is None:
            return e
        changed: list[bool] = []

        def visit(child: Any) -> Any:
            result = clone(child)
            if result is not child:
                changed.append(True)
            return result

        copy = e._generate()
        copy._copy_internals(visit)
        return copy if changed else e

    return clone(element)


def adapt_to_selectable(element: Any, selectable: Any) -> Any:
    """``element`` with columns of the tables behind ``selectable`` (an alias or subquery)
    replaced by ``selectable``'s corresponding columns."""

    def replace(e: Any) -> ColumnElement | None:
        if isinstance(e, ColumnElement) and getattr(e, "table", None) is not None:
            if e.table is selectable:  # type: ignore[attr-defined]
                return None
            found = selectable.corresponding_column(e)
            if found is not None and found is not e:
                return found  # type: ignore[no-any-return]
        return None

    return replacement_traverse(element, replace)
