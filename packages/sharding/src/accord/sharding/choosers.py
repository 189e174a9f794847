"""Built-in shard choosers: a stable hash of a key, key ranges, and a lookup table.

Each chooser reads one *sharding key* (an attribute name, e.g. ``"region"``) and offers
the three callables a ``ShardedSession`` needs, as bound methods: ``shard_chooser``,
``identity_chooser`` and ``execute_chooser`` (or pass the chooser itself as
``ShardedSession(chooser=...)``). ``execute_chooser`` narrows a statement to the shards
its WHERE clause allows when it finds ``key == value`` or ``key.in_([...])`` criteria
(joined by AND / OR); anything else goes to every shard.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
import uuid
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import BinaryExpression, BindParameter, literal_column

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

__all__ = ["HashChooser", "LookupChooser", "RangeChooser", "ShardKeyChooser", "stable_hash"]

# the SQL IN operator, taken from an expression rather than a non-public module
_IN_OP = literal_column("x").in_([1]).operator


def stable_hash(value: Any) -> int:
    """A hash of ``value`` that is the same in every process and Python version.

    Python's ``hash()`` of a string changes per process (``PYTHONHASHSEED``); this one is
    a BLAKE2b digest of a canonical encoding: ints, strings, bytes, UUIDs, bools, None
    and tuples of those. ``1`` and ``"1"`` hash differently.
    """
    return int.from_bytes(hashlib.blake2b(_encode(value), digest_size=8).digest(), "big")


def _encode(value: Any) -> bytes:
    if value is None:
        return b"n"
    if isinstance(value, bool):
        return b"b1" if value else b"b0"
    if isinstance(value, int):
        return b"i" + str(value).encode()
    if isinstance(value, str):
        return b"s" + value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return b"y" + bytes(value)
    if isinstance(value, uuid.UUID):
        return b"u" + value.bytes
    if isinstance(value, tuple):
        parts = [_encode(v) for v in value]
        return b"t" + b"".join(len(p).to_bytes(4, "big") + p for p in parts)
    raise exc.ArgumentError(
        f"stable_hash() can't hash a {type(value).__name__} value ({value!r}); use ints, "
        "strings, bytes, UUIDs or tuples of them as sharding keys"
    )


class ShardKeyChooser:
    """Base of the built-in choosers: maps a sharding key's value to one shard id.

    ``key`` is the attribute (and column) name of the sharding key. ``getters`` maps a
    class to a function reading its key value from an instance, for classes that hold
    the key elsewhere (e.g. ``{Order: lambda o: o.customer.region}``).
    """

    def __init__(
        self, key: str, *, getters: Mapping[type, Callable[[Any], Any]] | None = None
    ) -> None:
        if not isinstance(key, str) or not key:
            raise exc.ArgumentError(f"key must be an attribute name, got {key!r}")
        self.key = key
        self.getters = dict(getters or {})

    # -- to implement ------------------------------------------------------------------

    def shard_for_value(self, value: Any) -> Any:
        """The shard id holding rows whose key is ``value``."""
        raise NotImplementedError

    def all_shards(self) -> list[Any]:
        """Every shard id this chooser can return, in a stable order."""
        raise NotImplementedError

    # -- the ShardedSession callables --------------------------------------------------

    def shard_chooser(self, mapper: Any, instance: Any, clause: Any = None, **kw: Any) -> Any:
        """The shard for a new ``instance`` (or, without one, for ``clause``)."""
        if instance is not None:
            return self.shard_for_value(self.key_value(instance))
        if clause is not None:
            values = self.values_in(clause)
            if values is not None:
                shards = self._shards_for(values)
                if len(shards) == 1:
                    return shards[0]
        name = getattr(getattr(mapper, "class_", None), "__name__", None)
        raise exc.InvalidRequestError(
            f"Can't choose a single shard for {name or 'this statement'}: no instance was "
            f"given and the statement does not fix {self.key!r} to values of one shard; "
            "pin it with set_shard_id() or bind_arguments={'shard_id': ...}"
        )

    def identity_chooser(
        self,
        mapper: Any,
        primary_key: Sequence[Any],
        *,
        lazy_loaded_from: Any = None,
        execution_options: Any = None,
        bind_arguments: Any = None,
        **kw: Any,
    ) -> list[Any]:
        """Shards to look for a primary key in: one when the key is the sharding key."""
        if lazy_loaded_from is not None and getattr(lazy_loaded_from, "key", None):
            token = lazy_loaded_from.key[2]
            if token is not None:
                return [token]
        pk_keys = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
        if self.key in pk_keys:
            return [self.shard_for_value(primary_key[pk_keys.index(self.key)])]
        return self.all_shards()

    def execute_chooser(self, context: Any) -> list[Any]:
        """Shards a statement must run on: those its WHERE criteria on the key allow."""
        lazy = getattr(context, "lazy_loaded_from", None)
        if lazy is not None and getattr(lazy, "key", None) and lazy.key[2] is not None:
            return [lazy.key[2]]
        values = self.values_in(getattr(context, "statement", context))
        if values is None:
            return self.all_shards()
        return self._shards_for(values)

    # -- helpers -----------------------------------------------------------------------

    def key_value(self, instance: Any) -> Any:
        """The sharding key value of ``instance`` (an error if it has none yet)."""
        for cls in type(instance).__mro__:
            getter = self.getters.get(cls)
            if getter is not None:
                value = getter(instance)
                break
        else:
            if not hasattr(instance, self.key):
                raise exc.InvalidRequestError(
                    f"{type(instance).__name__} has no attribute {self.key!r} to choose a "
                    f"shard by; give the chooser getters={{{type(instance).__name__}: ...}}"
                )
            value = getattr(instance, self.key)
        if value is None:
            raise exc.InvalidRequestError(
                f"Can't choose a shard for {type(instance).__name__} object: its sharding "
                f"key {self.key!r} is None (set it before the object is flushed)"
            )
        return value

    def values_in(self, statement: Any) -> set[Any] | None:
        """The key values a statement's WHERE clause allows, or None if unrestricted."""
        where = getattr(statement, "whereclause", None)
        if where is None:
            return None
        return self._values(where)

    def _values(self, expr: Any) -> set[Any] | None:
        op = getattr(expr, "operator", None)
        if type(expr).__name__ == "Grouping":
            return self._values(expr.element)
        if op is operator.and_ and hasattr(expr, "clauses"):
            found: set[Any] | None = None
            for clause in expr.clauses:
                values = self._values(clause)
                if values is not None:
                    found = values if found is None else found & values
            return found
        if op is operator.or_ and hasattr(expr, "clauses"):
            union: set[Any] = set()
            for clause in expr.clauses:
                values = self._values(clause)
                if values is None:
                    return None  # one branch is unrestricted: so is the whole
                union |= values
            return union
        if isinstance(expr, BinaryExpression):
            if op is operator.eq:
                for col, other in ((expr.left, expr.right), (expr.right, expr.left)):
                    if self._is_key(col) and isinstance(other, BindParameter):
                        return {_hashable(other.effective_value)}
            elif op is _IN_OP and self._is_key(expr.left):
                return self._in_values(expr.right)
        return None

    def _in_values(self, right: Any) -> set[Any] | None:
        if type(right).__name__ == "Grouping":
            right = right.element
        if isinstance(right, BindParameter):
            value = right.effective_value
            if isinstance(value, (list, tuple, set, frozenset)):
                return {_hashable(v) for v in value}
            return None
        clauses = getattr(right, "clauses", None)
        if clauses is None or not all(isinstance(c, BindParameter) for c in clauses):
            return None
        return {_hashable(c.effective_value) for c in clauses}

    def _is_key(self, col: Any) -> bool:
        return getattr(col, "table", None) is not None and getattr(col, "key", None) == self.key

    def _shards_for(self, values: Iterable[Any]) -> list[Any]:
        wanted = {self.shard_for_value(v) for v in values}
        return [s for s in self.all_shards() if s in wanted]


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


class HashChooser(ShardKeyChooser):
    """Shard ``stable_hash(key value) % len(shard_ids)``: keys spread evenly, no table to keep.

    Adding a shard moves most keys, so fix the list of shard ids when the data is made.
    """

    def __init__(
        self,
        shard_ids: Sequence[Any],
        key: str,
        *,
        getters: Mapping[type, Callable[[Any], Any]] | None = None,
    ) -> None:
        super().__init__(key, getters=getters)
        ids = list(shard_ids)
        if not ids:
            raise exc.ArgumentError("HashChooser needs at least one shard id")
        if len(set(ids)) != len(ids):
            raise exc.ArgumentError(f"HashChooser shard ids repeat: {ids!r}")
        self.shard_ids = ids

    def shard_for_value(self, value: Any) -> Any:
        """The shard at ``stable_hash(value) % len(shard_ids)``."""
        return self.shard_ids[stable_hash(value) % len(self.shard_ids)]

    def all_shards(self) -> list[Any]:
        """The shard ids as given."""
        return list(self.shard_ids)


class RangeChooser(ShardKeyChooser):
    """Key ranges: ``RangeChooser([(None, 1000, "a"), (1000, None, "b")], key="id")``.

    Each range is ``(lower, upper, shard_id)``, half-open ``lower <= value < upper``;
    ``None`` leaves a side open. Ranges must not overlap; a value outside all of them is
    an error naming it.
    """

    def __init__(
        self,
        ranges: Sequence[tuple[Any, Any, Any]],
        key: str,
        *,
        getters: Mapping[type, Callable[[Any], Any]] | None = None,
    ) -> None:
        super().__init__(key, getters=getters)
        if not ranges:
            raise exc.ArgumentError("RangeChooser needs at least one (lower, upper, shard) range")
        for r in ranges:
            if len(r) != 3:
                raise exc.ArgumentError(f"A range is (lower, upper, shard_id), got {r!r}")
            lo, hi, _sid = r
            if lo is not None and hi is not None and not lo < hi:
                raise exc.ArgumentError(f"Empty range {r!r}: lower must be below upper")
        ordered = sorted(ranges, key=lambda r: (r[0] is not None, r[0]))
        for (_lo1, hi1, s1), (lo2, _hi2, s2) in itertools.pairwise(ordered):
            if hi1 is None or lo2 is None or lo2 < hi1:
                raise exc.ArgumentError(f"Ranges of shards {s1!r} and {s2!r} overlap")
        self.ranges = ordered
        self._lowers = [r[0] for r in ordered if r[0] is not None]
        self._open_low = ordered[0][0] is None

    def shard_for_value(self, value: Any) -> Any:
        """The shard whose range holds ``value``."""
        index = bisect.bisect_right(self._lowers, value) - 1
        if self._open_low:
            index += 1
        if 0 <= index < len(self.ranges):
            lo, hi, sid = self.ranges[index]
            if (lo is None or lo <= value) and (hi is None or value < hi):
                return sid
        raise exc.InvalidRequestError(
            f"No shard range holds {self.key}={value!r}; ranges are "
            + ", ".join(f"[{lo!r}, {hi!r}) -> {sid!r}" for lo, hi, sid in self.ranges)
        )

    def all_shards(self) -> list[Any]:
        """The shard ids in range order, each once."""
        return list(dict.fromkeys(r[2] for r in self.ranges))


class LookupChooser(ShardKeyChooser):
    """A lookup table from key value to shard: ``LookupChooser({"eu": "a", "us": "b"}, key=...)``.

    A value missing from the table goes to ``default`` if given, else is an error.
    """

    def __init__(
        self,
        table: Mapping[Any, Any],
        key: str,
        *,
        default: Any = None,
        getters: Mapping[type, Callable[[Any], Any]] | None = None,
    ) -> None:
        super().__init__(key, getters=getters)
        if not table and default is None:
            raise exc.ArgumentError("LookupChooser needs a non-empty table or a default")
        self.table = dict(table)
        self.default = default

    def shard_for_value(self, value: Any) -> Any:
        """The table's shard for ``value`` (or the default)."""
        sid = self.table.get(value, self.default)
        if sid is None:
            raise exc.InvalidRequestError(
                f"{self.key}={value!r} is not in the shard lookup table (known values: "
                f"{sorted(map(repr, self.table))}) and no default shard is set"
            )
        return sid

    def all_shards(self) -> list[Any]:
        """Every shard named in the table (and the default), each once."""
        ids = list(dict.fromkeys(self.table.values()))
        if self.default is not None and self.default not in ids:
            ids.append(self.default)
        return ids
