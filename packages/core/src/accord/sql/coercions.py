"""Turning user arguments into SQL elements: values into binds, strings refused or quoted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import elements

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accord.sql import types as sqltypes

__all__ = ["coerce_column_like", "coerce_expression", "coerce_where"]


def _replace_binds(element: Any, values: Mapping[str, Any]) -> Any:
    # Rebuild only along the paths that lead to a bind being replaced.
    if isinstance(element, elements.BindParameter):
        if element.key is not None and element.key in values:
            return element._with_value(values[element.key])
        return element
    if not isinstance(element, elements.ClauseElement) or not hasattr(element, "_copy_internals"):
        return element
    new = element._generate()
    new._copy_internals(lambda e: _replace_binds(e, values))
    return new


def _clause_element(value: Any) -> Any:
    ce = getattr(value, "__clause_element__", None)
    if (ce is not None and not isinstance(value, type)) or (
        isinstance(value, type) and ce is not None
    ):
        return ce()
    return value


def coerce_expression(
    value: Any, type_: sqltypes.TypeEngine | None = None
) -> elements.ColumnElement:
    """``value`` as a column expression: elements pass, other values become binds."""
    if isinstance(value, elements.ClauseElement):
        if isinstance(value, elements.ColumnElement):
            return value
        if value._is_select:
            return value.scalar_subquery()  # type: ignore[attr-defined,no-any-return]
        if isinstance(value, textual.TextClause):
            return textual._TextExpression(value)
        raise exc.ArgumentError(f"SQL expression element expected, got {value!r}")
    if hasattr(value, "__clause_element__"):
        return coerce_expression(value.__clause_element__(), type_)
    if value is None:
        return expressions.Null()
    return elements.BindParameter(None, value, type_=type_, unique=True)


def coerce_where(value: Any) -> elements.ColumnElement:
    """``value`` as a WHERE/ON criterion (booleans and strings are refused)."""
    if isinstance(value, str):
        raise exc.ArgumentError(
            f"SQL expression for WHERE/HAVING role expected, got {value!r}; "
            "use text() for textual SQL"
        )
    if isinstance(value, bool):
        return expressions.True_() if value else expressions.False_()
    return coerce_expression(value)


def coerce_column_like(value: Any) -> elements.ColumnElement:
    """An ORDER BY / GROUP BY / select-list entry (strings name labels or columns)."""
    if isinstance(value, str):
        return textual._TextExpression(textual.TextClause(value))
    return coerce_expression(value)


# Built on elements and on this module; imported last so their imports of these functions work.
from accord.sql import expressions, textual  # noqa: E402
