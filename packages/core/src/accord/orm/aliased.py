"""``aliased()``: a mapped class under another name in a statement (``users AS users_1``).

``ua = aliased(User)`` works like the class in ``select(ua)``, ``ua.name == "x"``,
``join(ua, ...)``, ``join(User.addresses.of_type(aa))`` and loader options
(``Load(ua)``); its objects are the class's ordinary objects in the identity map.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import SQLOperators
from accord.sql.visitors import adapt_to_selectable
from accord.util.inspect_registry import register_inspector

if TYPE_CHECKING:
    from accord.orm.mapper import Mapper

__all__ = [
    "AliasedClass",
    "AliasedInsp",
    "aliased",
]

# aliased entities by their FROM object's id (a FROM object in a statement leads back)
_by_selectable: weakref.WeakValueDictionary[int, AliasedInsp] = weakref.WeakValueDictionary()


class AliasedInsp:
    """What ``inspect(aliased(User))`` returns: the mapper, the alias and the entity."""

    is_aliased_class = True
    is_mapper = False

    def __init__(self, entity: AliasedClass, mapper: Mapper[Any], selectable: Any, name: str):
        self.entity = entity
        self.mapper = mapper
        self.selectable = selectable
        self.name = name
        self.class_ = mapper.class_
        _by_selectable[id(selectable)] = self

    @property
    def _aliased_insp(self) -> AliasedInsp:
        return self

    def adapt(self, expr: Any) -> Any:
        """``expr`` (over the mapped table) over this alias."""
        return adapt_to_selectable(expr, self.selectable)

    def __repr__(self) -> str:
        return f"<AliasedInsp {self.class_.__name__} as {self.name}>"


def aliased_insp_for(selectable: Any) -> AliasedInsp | None:
    """The aliased entity whose FROM object is ``selectable``, if any."""
    insp = _by_selectable.get(id(selectable))
    return insp if insp is not None and insp.selectable is selectable else None


class AliasedClass:
    """An alias of a mapped class: attributes give SQL against the alias."""

    def __init__(self, mapper: Mapper[Any], selectable: Any, name: str) -> None:
        self.__dict__["_aliased_insp"] = AliasedInsp(self, mapper, selectable, name)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        insp: AliasedInsp = self.__dict__["_aliased_insp"]
        prop = insp.mapper._props.get(key)
        if prop is None:
            raise AttributeError(
                f"Entity aliased({insp.class_.__name__}) has no attribute {key!r}"
            )
        if getattr(prop, "is_relationship", False):
            from accord.orm.relationship_query import RelationshipComparator

            attr: Any = RelationshipComparator(prop, insp)  # type: ignore[arg-type]
        else:
            attr = AliasedAttribute(insp, prop)
        self.__dict__[key] = attr
        return attr

    def __clause_element__(self) -> Any:
        return self.__dict__["_aliased_insp"].selectable

    def __repr__(self) -> str:
        insp = self.__dict__["_aliased_insp"]
        return f"<AliasedClass {insp.class_.__name__} as {insp.name}>"


class AliasedAttribute(SQLOperators):
    """A column attribute of an aliased class (SQL against the alias's column)."""

    __slots__ = ("_aliased_insp", "_expr", "key", "parent", "prop")

    is_attribute = True

    def __init__(self, insp: AliasedInsp, prop: Any) -> None:
        self._aliased_insp = insp
        self.prop = prop
        self.key = prop.key
        self.parent = insp.mapper
        self._expr = insp.adapt(prop.expression)

    @property
    def class_(self) -> type:
        """The mapped class."""
        return self.parent.class_

    @property
    def expression(self) -> Any:
        """The column (or expression) over the alias."""
        return self._expr

    def __clause_element__(self) -> Any:
        return self._expr

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._expr, name)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"aliased({self.parent.class_.__name__}).{self.key}"


def aliased(
    element: Any, alias: Any = None, name: str | None = None, flat: bool = False
) -> AliasedClass:
    """An alias of a mapped class (``alias``: a FROM object to use, e.g. a subquery)."""
    from accord.orm.strategy_options import _entity_of

    if isinstance(element, AliasedClass):
        mapper = element.__dict__["_aliased_insp"].mapper
    else:
        try:
            mapper, _alias = _entity_of(element)
        except exc.ArgumentError:
            raise exc.ArgumentError(
                f"aliased() takes a mapped class or aliased entity, got {element!r}"
            ) from None
    from accord.orm.mapper import configure_mappers

    configure_mappers()
    selectable = alias if alias is not None else mapper.local_table.alias(name)
    return AliasedClass(mapper, selectable, str(name or getattr(selectable, "name", "anon")))


@register_inspector(AliasedClass)
def _inspect_aliased(obj: AliasedClass) -> AliasedInsp:
    return obj.__dict__["_aliased_insp"]  # type: ignore[no-any-return]
