"""LIKE-family rendering of ``SQLCompiler``: startswith/endswith/contains and ILIKE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.sql import operators
from accord.sql.types import String

__all__ = ["LikeCompilerMixin"]

_STRING = String()


class LikeCompilerMixin:
    """``visit_<op>_binary`` hooks for the LIKE family; dialects override single operators."""

    operators: Any
    if TYPE_CHECKING:

        def process(self, obj: Any, **kw: Any) -> str: ...

        def render_literal_value(self, value: Any, type_: Any) -> str: ...

    def _like_variant(self, binary: Any, op: Any, **kw: Any) -> str:
        negated = op in (
            operators.not_startswith_op,
            operators.not_endswith_op,
            operators.not_contains_op,
        )
        left = binary.left._compiler_dispatch(self, **kw)
        right = binary.right._compiler_dispatch(self, **kw)
        concat = self.operators[operators.concat_op]
        if op in (operators.startswith_op, operators.not_startswith_op):
            pattern = right + concat + "'%'"
        elif op in (operators.endswith_op, operators.not_endswith_op):
            pattern = "'%'" + concat + right
        else:
            pattern = "'%'" + concat + right + concat + "'%'"
        like = " NOT LIKE " if negated else " LIKE "
        return left + like + pattern + self.escape_clause(binary)  # type: ignore[no-any-return]

    def visit_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """``a ILIKE b``: ``lower(a) LIKE lower(b)`` here; a dialect with ILIKE overrides it."""
        return self._ilike(binary, operator, **kw)

    def visit_not_ilike_op_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
        """``a NOT ILIKE b``: ``lower(a) NOT LIKE lower(b)`` unless the dialect overrides it."""
        return self._ilike(binary, operator, **kw)

    def _ilike(self, binary: Any, op: Any, **kw: Any) -> str:
        left, right = self.process(binary.left, **kw), self.process(binary.right, **kw)
        like = " NOT LIKE " if op is operators.not_ilike_op else " LIKE "
        return "lower(" + left + ")" + like + "lower(" + right + ")" + self.escape_clause(binary)

    def escape_clause(self, binary: Any) -> str:
        """`` ESCAPE 'c'`` for a LIKE-family expression given ``escape=``, else empty."""
        escape = binary.modifiers.get("escape")
        return "" if escape is None else " ESCAPE " + self.render_literal_value(escape, _STRING)
