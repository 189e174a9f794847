"""Which Engine or Connection a Session statement runs on: ``binds`` and ``get_bind()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import opt_manager_of_class

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.orm.session import Session

__all__ = ["add_bind", "get_bind", "is_table", "mapper_of", "require_mapper"]


def mapper_of(key: Any) -> Any:
    """The Mapper for a mapper or a mapped class, else None."""
    if isinstance(key, type):
        manager = opt_manager_of_class(key)
        return None if manager is None else manager.mapper
    if hasattr(key, "local_table") and hasattr(key, "class_"):
        return key
    return None


def require_mapper(target: Any, what: str) -> Any:
    """The Mapper of a mapped class or Mapper; ``UnmappedClassError`` naming ``what``."""
    mapper = mapper_of(target)
    if mapper is None:
        raise exc.UnmappedClassError(f"{what} takes a mapped class or Mapper, not {target!r}")
    return mapper


def is_table(key: Any) -> bool:
    """True for a Table (anything with columns, a name and foreign keys)."""
    return hasattr(key, "columns") and hasattr(key, "name") and hasattr(key, "foreign_keys")


def add_bind(session: Session, key: Any, bind: Any) -> None:
    """Record ``key`` (mapped class, Mapper, Table, or an unmapped base class) -> ``bind``."""
    mapper = mapper_of(key)
    if mapper is not None:
        session.binds[mapper.class_] = bind
        session.binds[mapper.local_table] = bind
    elif isinstance(key, type) or is_table(key):
        # an unmapped class (a mixin or the declarative base) reaches its subclasses
        session.binds[key] = bind
    else:
        raise exc.ArgumentError(
            f"Not an acceptable bind target: {key!r} (expected a mapped class, a Mapper, a "
            "Table, or a base class of mapped classes)"
        )


def _tables_of(clause: Any) -> Iterator[Any]:
    """Tables a statement reads or writes, as far as they can be found cheaply."""
    table = getattr(clause, "table", None)
    if table is not None:
        yield table
    for entity in getattr(clause, "_raw_entities", ()) or ():
        if isinstance(entity, type):
            yield entity
        found = getattr(entity, "table", None)
        if found is not None:
            yield found
    froms = getattr(clause, "get_final_froms", None) or getattr(clause, "froms", None)
    if callable(froms):
        try:
            froms = froms()
        except Exception:  # not every statement can tell its FROM list
            froms = None
    if froms:
        yield from froms


def get_bind(session: Session, mapper: Any, clause: Any, bind: Any) -> Any:
    """``Session.get_bind()``: the explicit bind, then ``binds`` by class, then by table."""
    if bind is not None:
        return bind
    binds = session.binds
    if not binds:
        if session.bind is not None:
            return session.bind
        raise exc.UnboundExecutionError(
            "This Session is not bound to an Engine or Connection; pass bind= (or binds=) "
            "to Session() or sessionmaker()"
        )
    found = None
    if mapper is not None:
        m = mapper_of(mapper)
        if m is None and hasattr(mapper, "mapper"):
            m = mapper.mapper
        if m is None:
            if isinstance(mapper, type):
                raise exc.UnmappedClassError(
                    f"Class '{mapper.__module__}.{mapper.__qualname__}' is not mapped"
                )
            raise exc.ArgumentError(f"get_bind() needs a mapper or a mapped class, not {mapper!r}")
        for cls in m.class_.__mro__:
            if cls in binds:
                return binds[cls]
        if clause is None:
            clause = m.local_table
        found = f"mapper {m.class_.__name__}"
    if clause is not None:
        if clause in binds:
            return binds[clause]
        for item in _tables_of(clause):
            if isinstance(item, type):
                for cls in item.__mro__:
                    if cls in binds:
                        return binds[cls]
            elif item in binds:
                return binds[item]
        found = found or "SQL expression"
    if session.bind is not None:
        return session.bind
    if found is None:
        raise exc.UnboundExecutionError(
            "This Session is not bound to a single Engine or Connection, and no mapper or "
            "statement was given to find a bind in binds"
        )
    raise exc.UnboundExecutionError(
        f"Could not locate a bind configured on {found} or this Session"
    )
