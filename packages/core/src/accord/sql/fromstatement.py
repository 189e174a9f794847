"""``select(Entity).from_statement(stmt)``: entities loaded from another statement's rows."""

from __future__ import annotations

from typing import Any

from accord import exc
from accord.sql.elements import ClauseElement, Executable

__all__ = ["FromStatement"]


class FromStatement(Executable, ClauseElement):
    """The rows of ``element`` (``text()``, a SELECT, DML with RETURNING) read as the
    entities and columns of a SELECT; a Session matches the columns by name."""

    __visit_name__ = "from_statement"
    is_select = True

    def __init__(self, entities: tuple[Any, ...], element: Any) -> None:
        if not getattr(element, "supports_execution", False):
            raise exc.ArgumentError(
                f"from_statement() takes an executable statement, got {element!r}"
            )
        self._raw_entities = entities
        self.element = element
        self._execution_options = {
            **getattr(element, "_execution_options", {}),
        }

    def _execute_on_connection(
        self, connection: Any, distilled_params: Any, execution_options: Any
    ) -> Any:
        # outside a Session there are no objects to build: the rows are the statement's
        return self.element._execute_on_connection(connection, distilled_params, execution_options)
