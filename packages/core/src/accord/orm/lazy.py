"""Lazy loading of relationships: ``lazy="select"`` (and the ``raise`` / ``noload`` kinds).

A many-to-one whose foreign key names an object already in the identity map is answered
from the map without SQL.  ``lazy="selectin"`` and ``"joined"`` load this way too when
an object arrives without the eager load having filled the attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import (
    ATTR_EMPTY,
    NO_AUTOFLUSH,
    PASSIVE_NO_RESULT,
    RELATED_OBJECT_OK,
    SQL_OK,
    state_str,
)
from accord.orm.relationship_join import load_criterion, local_values
from accord.orm.strategies import lazy_strategy
from accord.sql import select

if TYPE_CHECKING:
    from accord.orm.relationships import RelationshipProperty
    from accord.orm.state import InstanceState

__all__ = [
    "identity_map_target",
    "lazy_load",
    "load_statement",
]


def identity_map_target(prop: RelationshipProperty, state: InstanceState, passive: int) -> Any:
    """For a many-to-one on the target's primary key: the target from the identity map.

    Returns the object, None when the foreign key is NULL, or ``PASSIVE_NO_RESULT`` when
    the map does not have it (or the relationship is not a simple many-to-one).
    """
    if not prop._use_get:
        return PASSIVE_NO_RESULT
    target = prop.mapper
    remote = [r for _l, r in prop.local_remote_pairs]
    values = local_values(prop, state, passive)
    if values is None:
        # a NULL foreign key: nothing is related (an unloadable one: no answer)
        return None if _fk_is_null(prop, state) else PASSIVE_NO_RESULT
    by_col = dict(zip(remote, values, strict=True))
    ident = tuple(by_col[c] for c in target.primary_key)
    session = state.session
    if session is None:
        return PASSIVE_NO_RESULT
    token = state.key[2] if state.key is not None else None  # related objects share it
    found = session.identity_map.fast_get_state((target._identity_class, ident, token))
    if found is None:
        return PASSIVE_NO_RESULT
    obj = found.obj()
    if obj is None or found._deleted:
        return PASSIVE_NO_RESULT
    return obj


def _fk_is_null(prop: RelationshipProperty, state: InstanceState) -> bool:
    mapper = prop.parent
    dict_ = state.dict
    for local, _r in prop.local_remote_pairs:
        key = mapper._columntoproperty[local].key
        if key in dict_ and dict_[key] is None:
            return True
    return False


def load_statement(prop: RelationshipProperty, states: list[InstanceState]) -> Any:
    """``SELECT target WHERE <criterion> ORDER BY <order_by>`` and its parameters, or None."""
    crit, params = load_criterion(prop, states)
    if crit is None:
        return None, {}
    stmt = select(prop.mapper.class_).where(crit)
    if prop.order_by:
        stmt = stmt.order_by(*prop.order_by)
    return stmt, params


def lazy_load(prop: RelationshipProperty, state: InstanceState, passive: int) -> Any:
    """Load ``prop`` for one persistent object: the object(s), or ``ATTR_EMPTY`` / no result."""
    lazy, options = (prop.lazy, ()) if not state.load_options else lazy_strategy(prop, state)
    if lazy == "noload":
        return ATTR_EMPTY
    name = f"{prop.parent.class_.__name__}.{prop.key}"
    if lazy == "raise":
        raise exc.InvalidRequestError(f"'{name}' is not available due to lazy='raise'")
    hit = identity_map_target(prop, state, passive)
    if hit is not PASSIVE_NO_RESULT:
        return hit
    if not passive & SQL_OK or not passive & RELATED_OBJECT_OK:
        return PASSIVE_NO_RESULT
    if lazy == "raise_on_sql":
        raise exc.InvalidRequestError(
            f"'{name}' is not available due to lazy='raise_on_sql' (loading it needs SQL)"
        )
    session = state.session
    if session is None:
        raise exc.DetachedInstanceError(
            f"Parent instance {state_str(state)} is not bound to a Session; lazy load "
            f"operation of attribute {prop.key!r} cannot proceed"
        )
    stmt, params = load_statement(prop, [state])
    if stmt is None:
        return [] if prop.uselist else None
    if options:  # loader options and criteria the object's own load carried down
        stmt = stmt.options(*options)
    opts: dict[str, Any] = {"_accord_lazy_loaded_from": state}
    if state.key is not None and state.key[2] is not None:
        opts["identity_token"] = state.key[2]  # related objects load under the same token
    if passive & NO_AUTOFLUSH:
        opts["autoflush"] = False
    result = session.execute(stmt, params or None, execution_options=opts).scalars().all()
    if prop.uselist:
        return result
    return result[0] if result else None
