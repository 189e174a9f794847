"""The legacy ``Query`` and ORM-enabled ``update()`` / ``delete()`` with synchronize_session."""

from __future__ import annotations

import copy
import operator
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import NO_VALUE
from accord.sql import Select, func, select
from accord.sql import operators as ops
from accord.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    Grouping,
    UnaryExpression,
)
from accord.sql.schema import Column

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from accord.orm.mapper import Mapper
    from accord.orm.session import Session

__all__ = [
    "Query",
    "bulk_update_delete",
]


class Query:
    """``session.query(User).filter(...).order_by(...).all()``: the 1.x-style query API.

    Each method returns a new Query; the statement underneath is a ``select()``, run through
    ``Session.execute`` (so the identity map and autoflush apply as for ``select()``).
    """

    def __init__(self, entities: tuple[Any, ...], session: Session | None) -> None:
        self.session = session
        self._entities = entities
        self._stmt: Select = select(*entities)

    def _clone(self, stmt: Select) -> Query:
        new = copy.copy(self)
        new._stmt = stmt
        return new

    @property
    def statement(self) -> Select:
        """The ``select()`` this Query runs."""
        return self._stmt

    def _primary(self) -> Any:
        return self._entities[0]

    def filter(self, *criterion: Any) -> Query:
        """Add WHERE criteria."""
        return self._clone(self._stmt.where(*criterion))

    where = filter

    def filter_by(self, **kwargs: Any) -> Query:
        """Add ``attribute == value`` criteria on the first entity."""
        entity = self._primary()
        crit = []
        for key, value in kwargs.items():
            attr = getattr(entity, key, None)
            if attr is None:
                raise exc.InvalidRequestError(f"Entity {entity!r} has no property {key!r}")
            crit.append(attr == value)
        return self._clone(self._stmt.where(*crit))

    def order_by(self, *clauses: Any) -> Query:
        """Add ORDER BY expressions."""
        return self._clone(self._stmt.order_by(*clauses))

    def limit(self, n: int | None) -> Query:
        """LIMIT."""
        return self._clone(self._stmt.limit(n))

    def offset(self, n: int | None) -> Query:
        """OFFSET."""
        return self._clone(self._stmt.offset(n))

    def join(self, target: Any, onclause: Any = None, *, isouter: bool = False) -> Query:
        """JOIN ``target`` (ON ``onclause``)."""
        return self._clone(self._stmt.join(target, onclause, isouter=isouter))

    def outerjoin(self, target: Any, onclause: Any = None) -> Query:
        """LEFT OUTER JOIN ``target``."""
        return self.join(target, onclause, isouter=True)

    def distinct(self) -> Query:
        """SELECT DISTINCT."""
        return self._clone(self._stmt.distinct())

    def options(self, *options: Any) -> Query:
        """Add loader options (``selectinload(...)``, ``defer(...)``, ``with_loader_criteria``)."""
        return self._clone(self._stmt.options(*options))

    def execution_options(self, **kw: Any) -> Query:
        """Add execution options (``populate_existing``, ``yield_per``, ``identity_token``)."""
        return self._clone(self._stmt.execution_options(**kw))

    def yield_per(self, count: int) -> Query:
        """Load objects ``count`` at a time as the results are iterated."""
        return self._clone(self._stmt.execution_options(yield_per=count))

    def populate_existing(self) -> Query:
        """Overwrite objects already in the identity map with the rows' values."""
        return self._clone(self._stmt.execution_options(populate_existing=True))

    # -- running -----------------------------------------------------------------------

    def _session(self) -> Session:
        if self.session is None:
            raise exc.InvalidRequestError("This Query is not bound to a Session")
        return self.session

    def _result(self) -> Any:
        # like SQLAlchemy's Query: rows repeated by joined eager collections come back once
        result = self._session().execute(self._stmt, execution_options={"_accord_dedupe": True})
        if len(self._entities) == 1 and _is_entity(self._entities[0]):
            return result.scalars()
        return result

    def __iter__(self) -> Iterator[Any]:
        return iter(self._result())

    def all(self) -> list[Any]:
        """Every result (objects for a single entity, else rows)."""
        return list(self._result().all())

    def first(self) -> Any:
        """The first result, or None (adds LIMIT 1)."""
        return self.limit(1)._result().first()

    def one(self) -> Any:
        """Exactly one result: ``NoResultFound`` / ``MultipleResultsFound`` otherwise."""
        return self._result().one()

    def one_or_none(self) -> Any:
        """One result or None; ``MultipleResultsFound`` for more."""
        return self._result().one_or_none()

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self._session().execute(self._stmt).scalar()

    def count(self) -> int:
        """How many rows the query returns (``SELECT count(*) FROM (query)``)."""
        sub = self._stmt.subquery()
        return int(self._session().execute(select(func.count()).select_from(sub)).scalar())

    def get(self, ident: Any) -> Any:
        """``Session.get`` of the first entity, with this Query's loader options."""
        stmt = self._stmt
        return self._session().get(
            self._primary(),
            ident,
            options=stmt._with_options or None,
            populate_existing=bool(stmt._execution_options.get("populate_existing")),
        )

    def update(self, values: Mapping[Any, Any], synchronize_session: Any = "auto") -> int:
        """UPDATE the rows matching the criteria; returns the matched row count."""
        from accord.sql import update

        stmt = update(self._primary()).values(dict(values))
        where = self._stmt.whereclause
        if where is not None:
            stmt = stmt.where(where)
        opts = {"synchronize_session": synchronize_session}
        return int(self._session().execute(stmt, execution_options=opts).rowcount)

    def delete(self, synchronize_session: Any = "auto") -> int:
        """DELETE the rows matching the criteria; returns the matched row count."""
        from accord.sql import delete

        stmt = delete(self._primary())
        where = self._stmt.whereclause
        if where is not None:
            stmt = stmt.where(where)
        opts = {"synchronize_session": synchronize_session}
        return int(self._session().execute(stmt, execution_options=opts).rowcount)

    def __str__(self) -> str:
        return str(self._stmt)


def _is_entity(entity: Any) -> bool:
    from accord.orm.loading import _mapper_of

    return _mapper_of(entity) is not None


# -- ORM-enabled UPDATE / DELETE -------------------------------------------------------------

_BINARY_OPS: dict[Any, Callable[[Any, Any], Any]] = {
    ops.eq: operator.eq,
    ops.ne: operator.ne,
    ops.lt: operator.lt,
    ops.le: operator.le,
    ops.gt: operator.gt,
    ops.ge: operator.ge,
    ops.add: operator.add,
    ops.sub: operator.sub,
    ops.mul: operator.mul,
    ops.concat_op: operator.add,
    ops.is_: operator.is_,
    ops.is_not: operator.is_not,
}


class _CannotEvaluate(Exception):
    pass


class _ExpiredAttribute(_CannotEvaluate):
    """The criteria read an attribute the object has not loaded."""


def _compile_eval(mapper: Mapper[Any], clause: Any) -> Callable[[dict[str, Any]], Any]:
    """A Python function of an object's ``__dict__`` computing ``clause`` (or _CannotEvaluate)."""
    if isinstance(clause, Grouping):
        return _compile_eval(mapper, clause.element)
    if isinstance(clause, BindParameter):
        value = clause.value
        return lambda d: value
    if isinstance(clause, Column):
        prop = mapper._columntoproperty.get(clause)
        if prop is None:
            raise _CannotEvaluate(clause)
        key = prop.key

        def get(d: dict[str, Any]) -> Any:
            value = d.get(key, NO_VALUE)
            if value is NO_VALUE:
                raise _ExpiredAttribute(key)  # not loaded: the database must decide
            return value

        return get
    if isinstance(clause, BooleanClauseList):
        parts = [_compile_eval(mapper, c) for c in clause.clauses]
        if clause.operator is ops.and_:
            return lambda d: all(p(d) for p in parts)
        if clause.operator is ops.or_:
            return lambda d: any(p(d) for p in parts)
        raise _CannotEvaluate(clause)
    if isinstance(clause, BinaryExpression):
        fn = _BINARY_OPS.get(clause.operator)
        if fn is None:
            if clause.operator is ops.in_op:
                lhs = _compile_eval(mapper, clause.left)
                rhs = clause.right
                values = [getattr(c, "value", c) for c in getattr(rhs, "clauses", ())]
                if not values and isinstance(rhs, BindParameter):
                    values = list(rhs.value or ())
                return lambda d: lhs(d) in values
            raise _CannotEvaluate(clause)
        left = _compile_eval(mapper, clause.left)
        right = _compile_eval(mapper, clause.right)
        return lambda d: fn(left(d), right(d))
    if isinstance(clause, UnaryExpression) and clause.operator is ops.inv:
        inner = _compile_eval(mapper, clause.element)
        return lambda d: not inner(d)
    type_name = type(clause).__name__
    if type_name == "Null":
        return lambda d: None
    if type_name == "True_":
        return lambda d: True
    if type_name == "False_":
        return lambda d: False
    raise _CannotEvaluate(clause)


def _mapper_for_table(table: Any) -> Mapper[Any] | None:
    from accord.orm.mapper import _all_mappers

    for mapper in list(_all_mappers):
        if mapper.local_table is table:
            return mapper
    return None


def bulk_update_delete(
    session: Session, statement: Any, params: Any, options: Mapping[str, Any]
) -> Any:
    """Run an UPDATE/DELETE of a mapped table, then bring the identity map in line with it."""
    mapper = _mapper_for_table(statement.table)
    assert mapper is not None
    sync = options.get("synchronize_session", "auto")
    is_delete = not hasattr(statement, "_values")
    if sync not in ("auto", "evaluate", "fetch", False):
        raise exc.ArgumentError(
            f"synchronize_session must be 'auto', 'evaluate', 'fetch' or False, not {sync!r}"
        )
    if options.get("autoflush", True):
        session._autoflush()
    where = statement.whereclause if hasattr(statement, "whereclause") else None
    criteria = getattr(statement, "_where_criteria", ())
    idmap = session.identity_map
    states = [s for s in idmap.all_states() if s.manager.mapper is mapper and s.obj() is not None]
    matched: list[Any] | None = None
    unknown_match: list[Any] = []
    if sync in ("auto", "evaluate"):
        try:
            test = _compile_eval(mapper, where) if criteria else (lambda d: True)
            matched = []
            # as SQLAlchemy: fully expired objects are skipped (they reload anyway); an
            # object whose unloaded attributes the criteria read may or may not match, so
            # it is expired, for UPDATE and DELETE alike
            for s in states:
                if s.expired:
                    continue
                try:
                    if test(s.dict):
                        matched.append(s)
                except _ExpiredAttribute:
                    unknown_match.append(s)
        except _CannotEvaluate:
            unknown_match = []
            if sync == "evaluate":
                raise exc.InvalidRequestError(
                    "Could not evaluate the WHERE criteria in Python; use "
                    "synchronize_session='fetch' or False"
                ) from None
            matched = None
    conn = session._connection_for(session.get_bind(mapper))
    fetched_keys = None
    if sync == "fetch" or (sync == "auto" and matched is None):
        sel = select(*mapper.primary_key)
        if criteria:
            sel = sel.where(*criteria)
        fetched_keys = {
            (mapper._identity_class, tuple(r), None) for r in conn.execute(sel, params)
        }
        matched = [s for s in states if s.key in fetched_keys]
    result = conn.execute(statement, params)
    if sync is False or matched is None:
        return result
    for state in unknown_match:
        state._expire(state.dict, idmap._modified)
    if is_delete:
        # the matched objects become deleted as by a flushed DELETE: detached at commit,
        # persistent again if the transaction rolls back
        for state in matched:
            session._mark_deleted(state)
        return result
    values = statement._values or {}
    evaluated: dict[str, Any] = {}
    unknown: list[str] = []
    for col, expr in values.items():
        column = statement.table.c[col] if isinstance(col, str) else col
        prop = mapper._columntoproperty.get(column)
        if prop is None:
            continue
        try:
            evaluated[prop.key] = _compile_eval(mapper, expr)
        except _CannotEvaluate:
            unknown.append(prop.key)
    for state in matched:
        # SET values computable in Python (also after 'fetch') go into loaded, unchanged
        # attributes; changed ones and those it cannot compute are expired; unloaded
        # ones stay unloaded
        dict_ = state.dict
        changed = state.committed_state
        expire = [k for k in unknown if k in dict_]
        new_values = {}
        for k, fn in evaluated.items():
            if k not in dict_:
                continue
            if k in changed:
                expire.append(k)
                continue
            try:
                new_values[k] = fn(dict_)
            except _CannotEvaluate:
                expire.append(k)
        for k, v in new_values.items():
            dict_[k] = v
            state.committed_state.pop(k, None)
        if expire:
            state._expire_attributes(dict_, expire)
    # as SQLAlchemy's _register_altered: the transaction level records the objects the
    # UPDATE changed, so rolling back a SAVEPOINT (and what it undid) expires them
    if session._transaction is not None:
        session._transaction._dirty.update(dict.fromkeys(matched))
    return result


def bulk_update_by_primary_key(
    session: Session, statement: Any, rows: list[dict[str, Any]], options: Mapping[str, Any]
) -> Any:
    """``session.execute(update(User), [{"id": 1, "name": ...}, ...])``: UPDATE by key.

    Each dict names the primary key attributes and the attributes to set; rows with the
    same keys share one executemany.  Objects of those rows in the identity map have the
    updated attributes expired (they reload on access).
    """
    from accord.sql import and_, bindparam, update

    mapper = _mapper_for_table(statement.table)
    assert mapper is not None
    if getattr(statement, "_where_criteria", ()):
        raise exc.InvalidRequestError(
            "An UPDATE by primary key (a list of parameter dicts) takes no WHERE criteria"
        )
    if options.get("autoflush", True):
        session._autoflush()
    table = mapper.local_table
    pk_keys = mapper._pk_keys
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        missing = [k for k in pk_keys if k not in row]
        if missing:
            raise exc.InvalidRequestError(
                f"No primary key value for {missing} in a bulk UPDATE parameter set: {row!r}"
            )
        by_keys.setdefault(tuple(k for k in row if k not in pk_keys), []).append(row)
    conn = session._connection_for(session.get_bind(mapper))
    columns = {p.key: p.columns[0] for p in mapper.column_attrs.values()}
    total = 0
    for keys, group in by_keys.items():
        if not keys:
            continue
        crit = [columns[k] == bindparam(f"_pk_{k}") for k in pk_keys]
        stmt = (
            update(table)
            .where(and_(*crit))
            .values({columns[k].key: bindparam(f"_v_{k}") for k in keys})
        )
        params = [
            {**{f"_pk_{k}": r[k] for k in pk_keys}, **{f"_v_{k}": r[k] for k in keys}}
            for r in group
        ]
        total += conn.execute(stmt, params).rowcount
        for r in group:
            ident = tuple(r[k] for k in pk_keys)
            state = session.identity_map.fast_get_state((mapper._identity_class, ident, None))
            if state is not None and state.obj() is not None:
                state._expire_attributes(state.dict, keys)
    return total
