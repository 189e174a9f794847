"""The legacy bulk methods of Session: ``bulk_insert_mappings``, ``bulk_update_mappings``,
``bulk_save_objects``, each expressed through the ORM bulk INSERT / UPDATE statements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from accord.orm.attributes import _state_and_dict, set_committed_value
from accord.orm.session_binds import require_mapper
from accord.sql import insert, update

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from accord.orm.mapper import Mapper
    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "LegacyBulkMethods",
    "insert_mappings",
    "save_objects",
    "update_mappings",
]


def _mapper(target: Any) -> Mapper[Any]:
    """The Mapper of a mapped class or Mapper; ``UnmappedClassError`` otherwise."""
    mapper: Mapper[Any] = require_mapper(target, "A legacy bulk method")
    return mapper


def insert_mappings(
    session: Session,
    target: Any,
    mappings: Iterable[Mapping[str, Any]],
    return_defaults: bool = False,
    render_nulls: bool = False,
) -> list[Any]:
    """INSERT one row per dict of attribute keys; returns the new primary keys when asked.

    Without ``render_nulls`` a key whose value is None is left out, so that the column's
    default applies, as SQLAlchemy's legacy method does.
    """
    mapper = _mapper(target)
    rows = [
        dict(m) if render_nulls else {k: v for k, v in m.items() if v is not None}
        for m in mappings
    ]
    if not rows:
        return []
    stmt = insert(mapper.class_)
    if not return_defaults:
        session.execute(stmt, rows)
        return []
    returned = session.execute(stmt.returning(*mapper.primary_key), rows).all()
    return [tuple(r) for r in returned]


def update_mappings(session: Session, target: Any, mappings: Iterable[Mapping[str, Any]]) -> None:
    """UPDATE rows by primary key, one dict of attribute keys per row."""
    mapper = _mapper(target)
    rows = [dict(m) for m in mappings]
    if rows:
        session.execute(update(mapper.class_), rows)


def save_objects(
    session: Session,
    objects: Iterable[object],
    return_defaults: bool = False,
    update_changed_only: bool = True,
    preserve_order: bool = True,
) -> None:
    """INSERT objects without an identity and UPDATE those with one, in bulk.

    The objects are not added to the Session and their state is left as it was; with
    ``return_defaults`` the new objects get their primary keys (as loaded values).
    """
    # runs of one class and one operation, in the given order (or grouped when not kept)
    runs: list[tuple[Mapper[Any], bool, list[InstanceState]]] = []
    for obj in objects:
        state = _state_and_dict(obj)[0]  # UnmappedInstanceError for a plain object
        mapper = state.manager.mapper
        is_insert = state.key is None
        if preserve_order:
            if runs and runs[-1][0] is mapper and runs[-1][1] is is_insert:
                runs[-1][2].append(state)
            else:
                runs.append((mapper, is_insert, [state]))
        else:
            for run in runs:
                if run[0] is mapper and run[1] is is_insert:
                    run[2].append(state)
                    break
            else:
                runs.append((mapper, is_insert, [state]))
    for mapper, is_insert, states in runs:
        keys = [p.key for p in mapper.column_attrs.values()]
        if is_insert:
            rows = [{k: s.dict[k] for k in keys if k in s.dict} for s in states]
            made = insert_mappings(session, mapper, rows, return_defaults)
            pk = mapper._pk_keys
            for state, key in zip(states, made, strict=False):
                for attr, value in zip(pk, key, strict=True):
                    set_committed_value(state.obj(), attr, value)
        else:
            pk = mapper._pk_keys
            rows = []
            for s in states:
                chosen = s.committed_state if update_changed_only else s.dict
                row = {k: s.dict[k] for k in keys if k in chosen and k in s.dict}
                if update_changed_only and not row:
                    continue
                assert s.key is not None  # an UPDATE run holds objects with an identity
                row.update(zip(pk, s.key[1], strict=True))  # the row's key, even if expired
                rows.append(row)
            update_mappings(session, mapper, rows)


class LegacyBulkMethods:
    """Session's legacy bulk methods, kept for code written against them."""

    def bulk_insert_mappings(
        self,
        mapper: Any,
        mappings: Iterable[Mapping[str, Any]],
        return_defaults: bool = False,
        render_nulls: bool = False,
    ) -> None:
        """Legacy: INSERT rows given as dicts of attribute keys (prefer ``execute(insert())``).

        With ``return_defaults`` each dict receives its row's new primary key.
        """
        rows = [m if isinstance(m, dict) else dict(m) for m in mappings]
        session = cast("Session", self)
        made = insert_mappings(session, mapper, rows, return_defaults, render_nulls)
        if return_defaults:
            pk = _mapper(mapper)._pk_keys
            for row, key in zip(rows, made, strict=True):
                row.update(zip(pk, key, strict=True))

    def bulk_update_mappings(self, mapper: Any, mappings: Iterable[Mapping[str, Any]]) -> None:
        """Legacy: UPDATE rows by primary key from dicts (prefer ``execute(update(), rows)``)."""
        update_mappings(cast("Session", self), mapper, mappings)

    def bulk_save_objects(
        self,
        objects: Iterable[object],
        return_defaults: bool = False,
        update_changed_only: bool = True,
        preserve_order: bool = True,
    ) -> None:
        """Legacy: INSERT new and UPDATE changed objects in bulk, without tracking them."""
        save_objects(
            cast("Session", self), objects, return_defaults, update_changed_only, preserve_order
        )
