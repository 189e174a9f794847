"""SQL along relationships: joins (``join(A.bs)``), ``any()`` / ``has()`` / ``contains()``,
``==`` / ``!=`` against objects or None, ``of_type()`` and ``with_parent()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import instance_state, opt_manager_of_class
from accord.sql import and_, bindparam, exists, not_, or_
from accord.sql.visitors import replacement_traverse

if TYPE_CHECKING:
    from accord.orm.aliased import AliasedInsp
    from accord.orm.relationships import RelationshipProperty

__all__ = [
    "RelationshipComparator",
    "with_parent",
]


def _swap(expr: Any, table: Any, to: Any, only: Any = None, but: Any = None) -> Any:
    from accord.orm.joined import _swap_columns

    return _swap_columns(expr, table, to, only=only, but=but)


def _selectable_of(entity: Any) -> tuple[Any, Any]:
    """``(FROM object, mapper or None)`` of a join target: class, aliased class or table."""
    insp = getattr(entity, "_aliased_insp", None)
    if insp is not None:
        return insp.selectable, insp.mapper
    if isinstance(entity, type):
        manager = opt_manager_of_class(entity)
        if manager is not None and manager.mapper is not None:
            return manager.mapper.local_table, manager.mapper
    return entity, None


class RelationshipComparator:
    """A relationship in SQL: ``User.addresses`` (or ``aliased(User).addresses``)."""

    __slots__ = ("_aliased_insp", "_of_type", "key", "parent", "prop")

    is_attribute = True

    def __init__(
        self,
        prop: RelationshipProperty,
        parent_insp: AliasedInsp | None = None,
        of_type: Any = None,
    ) -> None:
        from accord.orm.mapper import configure_mappers

        configure_mappers()
        self.prop = prop
        self.key = prop.key
        self.parent = prop.parent
        self._aliased_insp = parent_insp
        self._of_type = of_type

    @property
    def class_(self) -> type:
        """The parent class."""
        return self.parent.class_

    @property
    def entity(self) -> Any:
        """The target entity (the ``of_type()`` alias when given)."""
        return self._of_type if self._of_type is not None else self.prop.mapper.class_

    def of_type(self, entity: Any) -> RelationshipComparator:
        """The relationship towards ``entity`` (an aliased form of the target)."""
        return RelationshipComparator(self.prop, self._aliased_insp, entity)

    def __repr__(self) -> str:
        return f"{self.parent.class_.__name__}.{self.key}"

    # -- pieces ------------------------------------------------------------------------

    def _parent_from(self) -> Any:
        insp = self._aliased_insp
        return insp.selectable if insp is not None else self.prop.parent.local_table

    def _local_side(self, expr: Any) -> Any:
        """``expr`` with the parent's (local) columns taken from the aliased parent."""
        insp = self._aliased_insp
        if insp is None:
            return expr
        return _swap(
            expr, self.prop.parent.local_table, insp.selectable, but=self.prop.remote_side
        )

    def _join_steps(self, target: Any = None) -> list[tuple[Any, Any, Any]]:
        """``(left, right, onclause)`` joins from the parent to the target (two for a
        many-to-many: through the ``secondary`` table)."""
        from accord.orm.relationships import MANYTOMANY

        prop = self.prop
        target_table = prop.mapper.local_table
        right = target_table
        chosen = target if target is not None else self._of_type
        if chosen is not None:
            right, mapper = _selectable_of(chosen)
            if mapper is not None and not mapper.isa(prop.mapper):
                raise exc.InvalidRequestError(
                    f"Join target {chosen!r} is not the target of relationship {self!r} "
                    f"({prop.mapper.class_.__name__})"
                )
        left = self._parent_from()
        if prop.direction is MANYTOMANY:
            pj = self._local_side(prop.primaryjoin)
            sj = prop.secondaryjoin
            if right is not target_table:
                sj = _swap(sj, target_table, right)
            return [(left, prop.secondary, pj), (prop.secondary, right, sj)]
        on = self._local_side(prop.primaryjoin)
        if right is not target_table:
            on = _swap(on, target_table, right, only=prop.remote_side)
        return [(left, right, on)]

    def _target_alias(self) -> Any:
        """The target's FROM in a subquery: an alias when the parent's table is the same."""
        if self._of_type is not None:
            return _selectable_of(self._of_type)[0]
        target = self.prop.mapper.local_table
        if target is self.prop.parent.local_table:
            return target.alias()
        return target

    def _criterion(self, criterion: Any, kwargs: dict[str, Any], tgt: Any) -> list[Any]:
        target_cls = self.prop.mapper.class_
        target_table = self.prop.mapper.local_table
        crit = []
        if criterion is not None:
            crit.append(criterion)
        for k, v in kwargs.items():
            attr = getattr(target_cls, k, None)
            if attr is None:
                raise exc.InvalidRequestError(f"{target_cls.__name__} has no attribute {k!r}")
            crit.append(attr == v)
        if tgt is not target_table and self._of_type is None:
            crit = [
                _swap(
                    c.__clause_element__() if hasattr(c, "__clause_element__") else c,
                    target_table,
                    tgt,
                )
                for c in crit
            ]
        return crit

    def _exists(self, criterion: Any, kwargs: dict[str, Any]) -> Any:
        from accord.orm.relationships import MANYTOMANY

        prop = self.prop
        tgt = self._target_alias()
        target_table = prop.mapper.local_table
        crit = self._criterion(criterion, kwargs, tgt)
        if prop.direction is MANYTOMANY:
            pj = self._local_side(prop.primaryjoin)
            sj = prop.secondaryjoin
            if tgt is not target_table:
                sj = _swap(sj, target_table, tgt)
            where = [pj, sj, *crit]
        else:
            on = self._local_side(prop.primaryjoin)
            if tgt is not target_table:
                on = _swap(on, target_table, tgt, only=prop.remote_side)
            where = [on, *crit]
        return exists().where(and_(*where))

    # -- operators ---------------------------------------------------------------------

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:
        """``EXISTS`` a related row (matching ``criterion`` / ``attr=value``): collections."""
        if not self.prop.uselist:
            raise exc.InvalidRequestError(
                f"'any()' is for collections; {self!r} is a scalar relationship, use has()"
            )
        return self._exists(criterion, kwargs)

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        """``EXISTS`` the related row (matching ``criterion`` / ``attr=value``): scalars."""
        if self.prop.uselist:
            raise exc.InvalidRequestError(
                f"'has()' is for scalar relationships; {self!r} is a collection, use any()"
            )
        return self._exists(criterion, kwargs)

    def _pk_criterion(self, other: Any) -> Any:
        target = self.prop.mapper
        state = instance_state(other)
        values = [
            target._get_state_attr_by_column(state, state.dict, col) for col in target.primary_key
        ]
        return and_(
            *[
                col == bindparam(None, v, type_=col.type)
                for col, v in zip(target.primary_key, values, strict=True)
            ]
        )

    def contains(self, other: Any, **kwargs: Any) -> Any:
        """True for parents whose collection holds ``other``."""
        if not self.prop.uselist:
            raise exc.InvalidRequestError(
                f"'contains()' is for collections; {self!r} is scalar, compare with =="
            )
        return self._exists(self._pk_criterion(other), {})

    def __eq__(self, other: Any) -> Any:
        from accord.orm.relationships import MANYTOONE

        prop = self.prop
        if other is None:
            if prop.direction is MANYTOONE:
                return and_(
                    *[self._local_side(local).is_(None) for local, _r in prop.local_remote_pairs]
                )
            return not_(self._exists(None, {}))
        if prop.uselist:
            raise exc.InvalidRequestError(
                f"Can't compare the collection {self!r} to an object; use contains() to test "
                "for membership"
            )
        if prop.direction is MANYTOONE:
            target = prop.mapper
            state = instance_state(other)
            return and_(
                *[
                    self._local_side(local)
                    == bindparam(
                        None,
                        target._get_state_attr_by_column(state, state.dict, remote),
                        type_=local.type,
                    )
                    for local, remote in prop.local_remote_pairs
                ]
            )
        return self._exists(self._pk_criterion(other), {})

    def __ne__(self, other: Any) -> Any:
        from accord.orm.relationships import MANYTOONE

        prop = self.prop
        if other is None:
            return not_(self.__eq__(None))
        if prop.direction is MANYTOONE and not prop.uselist:
            locals_ = [self._local_side(local) for local, _r in prop.local_remote_pairs]
            # NULL foreign keys are "not equal" too (SQL's <> alone would drop them)
            return or_(not_(self.__eq__(other)), *[c.is_(None) for c in locals_])
        return not_(self.__eq__(other))

    __hash__ = object.__hash__

    def __clause_element__(self) -> Any:
        return self._local_side(self.prop.primaryjoin)


def with_parent(instance: object, prop: Any, from_entity: Any = None) -> Any:
    """Criteria selecting the objects related to ``instance`` through ``prop``
    (``select(Address).where(with_parent(user, User.addresses))``)."""
    from accord.orm.relationship_join import _local_pairs, local_values
    from accord.orm.relationships import MANYTOMANY

    rel = getattr(prop, "prop", prop)
    if not getattr(rel, "is_relationship", False):
        raise exc.ArgumentError(f"with_parent() needs a relationship attribute, got {prop!r}")
    from accord.orm.mapper import configure_mappers

    configure_mappers()
    state = instance_state(instance)
    values = local_values(rel, state)
    pairs = _local_pairs(rel)
    if values is None:
        values = (None,) * len(pairs)
    binds = {
        id(local): bindparam(None, v, type_=local.type)
        for (local, _r), v in zip(pairs, values, strict=True)
    }
    crit = replacement_traverse(rel.primaryjoin, lambda e: binds.get(id(e)))
    if rel.direction is MANYTOMANY:
        crit = and_(crit, rel.secondaryjoin)
    if from_entity is not None:
        selectable, _mapper = _selectable_of(from_entity)
        crit = _swap(crit, rel.mapper.local_table, selectable)
    return crit
