"""``ORMExecuteState``: what ``do_orm_execute`` listeners see of one ``Session.execute()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.sql import Delete, Insert, Select, Update

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accord.orm.session import Session

__all__ = ["ORMExecuteState"]


def _mapper_of(entity: Any) -> Any:
    from accord.orm.loading import _mapper_of as mapper_of

    return mapper_of(entity)


def _is_orm_select(statement: Any) -> bool:
    from accord.orm.loading import _is_orm_select as is_orm_select

    return is_orm_select(statement)


class ORMExecuteState:
    """What a ``do_orm_execute`` listener sees of one ``Session.execute()`` call.

    A listener may change ``statement``, ``parameters`` or the execution options before the
    statement runs, or return a Result itself (``invoke_statement()`` runs the statement,
    skipping this and the earlier listeners) to stand in for the execution.
    """

    def __init__(
        self,
        session: Session,
        statement: Any,
        parameters: Any,
        execution_options: Mapping[str, Any],
        bind_arguments: Mapping[str, Any] | None,
    ) -> None:
        self.session = session
        self.statement = statement
        self.parameters = parameters
        self.local_execution_options = dict(execution_options)
        self.bind_arguments: dict[str, Any] = dict(bind_arguments or {})
        self._index = 0

    @property
    def execution_options(self) -> dict[str, Any]:
        """The statement's execution options merged with those given to ``execute()``."""
        get_opts = getattr(self.statement, "get_execution_options", None)
        opts = dict(get_opts()) if get_opts is not None else {}
        opts.update(self.local_execution_options)
        return opts

    def update_execution_options(self, **opts: Any) -> None:
        """Add execution options for this execution."""
        self.local_execution_options.update(opts)

    @property
    def is_select(self) -> bool:
        """True for a SELECT."""
        return isinstance(self.statement, Select)

    @property
    def is_column_load(self) -> bool:
        """True when the SELECT loads expired or deferred columns of one object (refresh)."""
        return bool(self.local_execution_options.get("_accord_column_load"))

    @property
    def is_relationship_load(self) -> bool:
        """True when the SELECT loads a relationship (lazy or eager loader)."""
        return self.local_execution_options.get("_accord_lazy_loaded_from") is not None or bool(
            self.local_execution_options.get("_accord_relationship_load")
        )

    @property
    def lazy_loaded_from(self) -> Any:
        """The InstanceState whose lazy load runs this SELECT, else None."""
        return self.local_execution_options.get("_accord_lazy_loaded_from")

    @property
    def user_defined_options(self) -> list[Any]:
        """The statement's ``UserDefinedOption`` objects."""
        from accord.orm.strategy_options import UserDefinedOption

        return [
            o
            for o in getattr(self.statement, "_with_options", ())
            if isinstance(o, UserDefinedOption)
        ]

    @property
    def all_mappers(self) -> list[Any]:
        """The mappers of the entities the statement selects."""
        out = []
        for e in getattr(self.statement, "_raw_entities", ()) or ():
            m = _mapper_of(e) or _mapper_of(getattr(e, "class_", None))
            if m is not None and m not in out:
                out.append(m)
        return out

    @property
    def bind_mapper(self) -> Any:
        """The first mapper of the statement (what chooses the bind), or None."""
        mappers = self.all_mappers
        return mappers[0] if mappers else None

    @property
    def is_insert(self) -> bool:
        """True for an INSERT."""
        return isinstance(self.statement, Insert)

    @property
    def is_update(self) -> bool:
        """True for an UPDATE."""
        return isinstance(self.statement, Update)

    @property
    def is_delete(self) -> bool:
        """True for a DELETE."""
        return isinstance(self.statement, Delete)

    @property
    def is_orm_statement(self) -> bool:
        """True when the statement names a mapped entity."""
        if self.is_select:
            return _is_orm_select(self.statement)
        table = getattr(self.statement, "table", None)
        if table is None:
            return False
        from accord.orm.query import _mapper_for_table

        return _mapper_for_table(table) is not None

    def invoke_statement(
        self,
        statement: Any = None,
        params: Any = None,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the statement now (listeners up to this one are not called again)."""
        opts = dict(self.local_execution_options)
        opts.update(execution_options or {})
        from accord.orm.loading import execute

        return execute(
            self.session,
            self.statement if statement is None else statement,
            self.parameters if params is None else params,
            opts,
            bind_arguments or self.bind_arguments,
            _skip=self._index + 1,
        )
