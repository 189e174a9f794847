"""The identity map (weak-valued; modified objects held strongly) and ``identity_key()``."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import class_mapper, object_mapper, state_str

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.orm.state import InstanceState

__all__ = [
    "IdentityMap",
    "identity_key",
]

IdentityKey = tuple[type, tuple[Any, ...], Any]

# the size below which an identity map is never swept of dead states
_MIN_SWEEP = 1000


class IdentityMap:
    """Identity key -> object, for one Session.

    It stores ``InstanceState`` objects, which reference their objects weakly: an
    unmodified object that the application drops disappears from the map.  A modified
    object's state holds it strongly until the change is flushed and committed, and is
    listed in ``_modified``.  Lookups are plain dict lookups.

    States reference their objects through weakrefs *without* callbacks: a callback per
    object made dropping 100,000 loaded objects cost a Python call each.  Instead the
    states of dead objects stay in ``_dict`` until a sweep: every lookup checks that the
    object is alive, the counting and listing methods sweep first, and ``add`` and the bulk
    paths (loading, flush) call ``_maybe_sweep()`` before adding states (new states are
    alive: scanning them would be wasted), which sweeps once the map has doubled since the
    last sweep; so dead states cost amortized O(1) and stay within the live ones plus the
    last batch.
    """

    __slots__ = ("__weakref__", "_dict", "_modified", "_sweep_at", "_wr")

    def __init__(self) -> None:
        self._dict: dict[IdentityKey, InstanceState] = {}
        self._modified: set[InstanceState] = set()
        self._wr = weakref.ref(self)
        self._sweep_at = _MIN_SWEEP

    def _sweep(self) -> None:
        """Drop the states of garbage-collected objects."""
        d = self._dict
        # list(): a C-level copy, so states another thread adds meanwhile (a sharded
        # Session loads shards in parallel) can't break the iteration
        dead = [k for k, s in list(d.items()) if s.obj() is None]
        for k in dead:
            del d[k]
        self._sweep_at = max(_MIN_SWEEP, 2 * len(d))

    def _maybe_sweep(self) -> None:
        """Sweep if the map has grown to twice its size after the last sweep."""
        if len(self._dict) > self._sweep_at:
            self._sweep()

    # -- lookups (objects) -----------------------------------------------------------

    def get(self, key: IdentityKey, default: Any = None) -> Any:
        """The live object for ``key``, or ``default``."""
        state = self._dict.get(key)
        if state is None:
            return default
        obj = state.obj()
        return default if obj is None else obj

    def __getitem__(self, key: IdentityKey) -> Any:
        obj = self.get(key)
        if obj is None:
            raise KeyError(key)
        return obj

    def __contains__(self, key: object) -> bool:
        state = self._dict.get(key)  # type: ignore[call-overload]
        return state is not None and state.obj() is not None

    def fast_get_state(self, key: IdentityKey) -> InstanceState | None:
        """The state stored under ``key`` (its object may be gone), or None."""
        return self._dict.get(key)

    def contains_state(self, state: InstanceState) -> bool:
        """True if this very state is the one stored under its key."""
        return state.key is not None and self._dict.get(state.key) is state

    def keys(self) -> list[IdentityKey]:
        """Keys of live objects."""
        return [k for k, s in self._dict.items() if s.obj() is not None]

    def values(self) -> list[Any]:
        """The live objects."""
        return [o for o in (s.obj() for s in list(self._dict.values())) if o is not None]

    def items(self) -> list[tuple[IdentityKey, Any]]:
        """(key, object) for live objects."""
        out = []
        for key, state in list(self._dict.items()):
            obj = state.obj()
            if obj is not None:
                out.append((key, obj))
        return out

    def __iter__(self) -> Iterator[IdentityKey]:
        return iter(self.keys())

    def __len__(self) -> int:
        self._sweep()
        return len(self._dict)

    def all_states(self) -> list[InstanceState]:
        """The state of every live object in the map."""
        self._sweep()
        return list(self._dict.values())

    def _all_states_unswept(self) -> list[InstanceState]:
        # every stored state, dead ones included: for callers that skip or drop them anyway
        return list(self._dict.values())

    def check_modified(self) -> bool:
        """True if any object in the map has pending changes."""
        return bool(self._modified)

    # -- changes (states) ------------------------------------------------------------

    def add(self, state: InstanceState) -> bool:
        """Store ``state`` under its key; ``InvalidRequestError`` if another live object has it.

        Returns False when this state was already there.
        """
        key = state.key
        if key is None:
            raise exc.InvalidRequestError(
                f"Instance {state_str(state)} has no identity key; it can't be in an identity map"
            )
        existing = self._dict.get(key)
        if existing is not None:
            if existing is state:
                return False
            if existing.obj() is not None:
                raise exc.InvalidRequestError(
                    f"Can't attach instance {state_str(state)}; another instance with key "
                    f"{key!r} is already present in this identity map"
                )
        self._maybe_sweep()
        self._dict[key] = state
        self._attach(state)
        return True

    def replace(self, state: InstanceState) -> InstanceState | None:
        """Store ``state`` under its key, returning the state it displaced (if any)."""
        assert state.key is not None
        existing = self._dict.get(state.key)
        if existing is state:
            return None
        if existing is not None:
            self._detach(existing)
        self._dict[state.key] = state
        self._attach(state)
        return existing

    def _add_unpresent(self, state: InstanceState, key: IdentityKey) -> None:
        """Store a state whose key is known to be absent (the loading fast path)."""
        self._dict[key] = state
        state._instance_dict = self._wr

    def discard(self, state: InstanceState) -> None:
        """Remove ``state`` if it is the one stored under its key."""
        if state.key is not None and self._dict.get(state.key) is state:
            del self._dict[state.key]
            self._detach(state)

    safe_discard = discard

    def clear(self) -> None:
        """Remove every state."""
        wr = self._wr
        for state in self._dict.values():  # _detach() inlined: sessions close with many
            if state._instance_dict is wr:
                state._instance_dict = None
        self._dict.clear()
        self._modified.clear()

    def _clear_detaching_session(self) -> None:
        # clear() and InstanceState._detach() of every state, fused into one loop
        wr = self._wr
        for state in self._dict.values():
            if state._instance_dict is wr:
                state._instance_dict = None
            state.session_id = None
            if state._strong_obj is not None:
                state._strong_obj = None
        self._dict.clear()
        self._modified.clear()

    def _attach(self, state: InstanceState) -> None:
        state._instance_dict = self._wr
        if state.modified:
            self._modified.add(state)
            if state._strong_obj is None:
                state._strong_obj = state.obj()

    def _detach(self, state: InstanceState) -> None:
        if state._instance_dict is self._wr:
            state._instance_dict = None
        self._modified.discard(state)

    def __repr__(self) -> str:
        return f"<IdentityMap {len(self._dict)} states, {len(self._modified)} modified>"


def identity_key(
    class_: type | None = None,
    ident: Any = None,
    *,
    instance: object | None = None,
    row: Any = None,
    identity_token: Any = None,
) -> IdentityKey:
    """An identity key ``(class, primary key tuple, identity_token)``.

    Forms: ``identity_key(User, 5)`` or ``identity_key(User, (5,))``;
    ``identity_key(instance=user)``; ``identity_key(User, row=row)``.
    """
    if instance is not None:
        mapper = object_mapper(instance)
        return mapper.identity_key_from_instance(instance)
    if class_ is None:
        raise exc.ArgumentError("identity_key() needs a class, or instance=")
    mapper = class_mapper(class_)
    if row is not None:
        return mapper.identity_key_from_row(row, identity_token=identity_token)
    if ident is None:
        raise exc.ArgumentError("identity_key() needs a primary key value, row= or instance=")
    if not isinstance(ident, (tuple, list)):
        ident = (ident,)
    return mapper.identity_key_from_primary_key(ident, identity_token=identity_token)
