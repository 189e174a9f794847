"""``Row``, ``RowMapping`` and the column metadata that turns raw tuples into rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, ClassVar

from accord.exc import InvalidRequestError

__all__ = ["NoSuchColumnError", "ResultMetaData", "Row", "RowMapping", "result_tuple"]

# Key -> index value in ResultMetaData._keymap for a name shared by two columns.
_AMBIGUOUS = -1

Processor = Callable[[Any], Any]


class NoSuchColumnError(KeyError, InvalidRequestError):
    """A row was asked for a column it does not have (also a ``KeyError`` for mappings)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ResultMetaData:
    """Names, key lookup and value processors shared by every row of one result.

    ``keys`` are the column names; ``objects`` (optional) gives, per column, extra
    lookup keys such as the ``Column`` objects so that ``row._mapping[table.c.x]`` works.
    ``processors`` holds, per column, a callable converting the driver value or ``None``.
    """

    __slots__ = ("_keymap", "_keys", "_make_row", "_process", "_processors", "_row_cls")

    _keys: tuple[str, ...]
    _keymap: dict[Any, int]
    _processors: tuple[Processor | None, ...]
    _row_cls: type[Row]
    _make_row: Callable[[Sequence[Any]], Row]
    # raw tuple -> processed values (no Row), or None when no column has a processor
    _process: Callable[[Sequence[Any]], Sequence[Any]] | None

    def __init__(
        self,
        keys: Sequence[str],
        objects: Sequence[Sequence[Any]] | None = None,
        processors: Sequence[Processor | None] | None = None,
    ) -> None:
        self._keys = tuple(keys)
        keymap: dict[Any, int] = {}
        for index, key in enumerate(self._keys):
            # A name shared by two columns can only be reached by position or object.
            keymap[key] = _AMBIGUOUS if key in keymap else index
        if objects is not None:
            for index, objs in enumerate(objects):
                for obj in objs:
                    if obj not in keymap:
                        keymap[obj] = index
        self._keymap = keymap
        procs = tuple(processors) if processors is not None else (None,) * len(self._keys)
        self._processors = procs
        self._row_cls = _row_class(self)
        self._process = self._build_processor()
        self._make_row = self._build_row_maker()

    def _build_processor(self) -> Callable[[Sequence[Any]], Sequence[Any]] | None:
        """One function raw tuple -> list of processed values, or None if nothing to do."""
        active = [(i, p) for i, p in enumerate(self._processors) if p is not None]
        if not active:
            return None

        def process(raw: Sequence[Any]) -> list[Any]:
            data = list(raw)
            for index, proc in active:
                value = data[index]
                if value is not None:
                    data[index] = proc(value)
            return data

        return process

    def _build_row_maker(self) -> Callable[[Sequence[Any]], Row]:
        """One function raw tuple -> Row, doing per-row work only for processed columns."""
        row_cls = self._row_cls
        process = self._process
        if process is None:
            return row_cls

        def make_row(raw: Sequence[Any]) -> Row:
            return row_cls(process(raw))

        return make_row

    def _index_for(self, key: Any, raise_error: bool = True) -> int | None:
        """Position of ``key`` (name, column object or int); errors name the key."""
        if isinstance(key, int):
            if -len(self._keys) <= key < len(self._keys):
                return key
            if raise_error:
                raise IndexError(f"Row index {key} out of range")
            return None
        try:
            index = self._keymap[key]
        except (KeyError, TypeError):
            if raise_error:
                raise NoSuchColumnError(
                    f"Could not locate column in row for column {_describe(key)}"
                ) from None
            return None
        if index == _AMBIGUOUS:
            raise InvalidRequestError(
                f"Ambiguous column name {_describe(key)} in result set; refer to the column "
                "by position or by its column object, or give it a label"
            )
        return index

    def _processor_for(self, index: int) -> Processor | None:
        return self._processors[index]

    def _reduce(self, keys: Sequence[Any]) -> tuple[ResultMetaData, list[int]]:
        """Metadata for a subset of columns (``Result.columns``) and their positions."""
        indexes = [i for i in (self._index_for(k) for k in keys) if i is not None]
        inv: dict[int, list[Any]] = {i: [] for i in indexes}
        for obj, idx in self._keymap.items():
            if idx in inv and not isinstance(obj, int):
                inv[idx].append(obj)
        new = ResultMetaData(
            [self._keys[i] for i in indexes],
            [inv[i] for i in indexes],
            [self._processors[i] for i in indexes],
        )
        return new, indexes

    def keys(self) -> list[str]:
        """Column names, in order."""
        return list(self._keys)

    def _without_processors(self) -> ResultMetaData:
        """The same columns and keys, for rows whose values were already processed."""
        plain = ResultMetaData(self._keys)
        plain._keymap = self._keymap
        plain._row_cls = _row_class(plain)
        plain._make_row = plain._row_cls
        plain._process = None
        return plain

    def __repr__(self) -> str:
        return f"ResultMetaData({list(self._keys)!r})"


def _describe(key: Any) -> str:
    return repr(key) if isinstance(key, str) else f"'{key}'"


class Row(tuple[Any, ...]):
    """One result row: a tuple of the values with access by attribute and by ``_mapping``.

    Compares and hashes as the tuple of its values. Each result's rows are of a small
    subclass made for its columns, whose attributes are C-level item getters: reading
    ``row.name`` costs about as much as ``row[1]``.
    """

    __slots__ = ()

    _parent: ClassVar[ResultMetaData]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        keymap = type(self)._parent._keymap
        index = keymap.get(name)
        if index is None:
            raise AttributeError(
                f"Row has no column named {name!r}; columns are {list(self._parent._keys)}"
            )
        self._parent._index_for(name)  # raises for an ambiguous name
        return self[index]

    def __reduce__(self) -> Any:
        return (_rebuild_row, (self._parent._keys, tuple(self)))

    @property
    def _mapping(self) -> RowMapping:
        """A read-only mapping view: keys are column names or column objects."""
        return RowMapping(self)

    @property
    def _fields(self) -> tuple[str, ...]:
        """The column names, like ``namedtuple._fields``."""
        return self._parent._keys

    def _asdict(self) -> dict[str, Any]:
        """A new dict of column name -> value."""
        return dict(zip(self._parent._keys, self, strict=False))

    def _tuple(self) -> tuple[Any, ...]:
        """The values as a plain tuple."""
        return tuple(self)

    @property
    def _t(self) -> tuple[Any, ...]:
        """The values as a plain tuple (short form)."""
        return tuple(self)


def _row_class(parent: ResultMetaData) -> type[Row]:
    """The Row subclass for one result's columns: attribute names become item getters."""
    namespace: dict[str, Any] = {"__slots__": (), "_parent": parent}
    for key, index in parent._keymap.items():
        if (
            isinstance(key, str)
            and index != _AMBIGUOUS
            and key.isidentifier()
            and not hasattr(Row, key)
        ):
            namespace[key] = property(itemgetter(index))
    return type("Row", (Row,), namespace)


_BY_KEYS: dict[tuple[str, ...], ResultMetaData] = {}


def _metadata_for_keys(keys: Sequence[str]) -> ResultMetaData:
    """Metadata of plain named columns, shared by every result with these names.

    Making one builds a Row class (~10 us, a fifth of a small ORM query); the ORM's
    results and unpickled rows reuse a few shapes, so they are cached (up to 256).
    """
    names = tuple(keys)
    md = _BY_KEYS.get(names)
    if md is None:
        if len(_BY_KEYS) >= 256:
            _BY_KEYS.clear()
        md = _BY_KEYS[names] = ResultMetaData(names)
    return md


def _rebuild_row(keys: tuple[str, ...], data: tuple[Any, ...]) -> Row:
    # Unpickled rows of one result share one metadata (and Row class).
    return _metadata_for_keys(keys)._make_row(data)


class RowMapping(Mapping[Any, Any]):
    """A ``Row`` seen as a mapping of column name (or column object) to value."""

    __slots__ = ("_row",)

    def __init__(self, row: Row) -> None:
        self._row = row

    def __getitem__(self, key: Any) -> Any:
        row = self._row
        if isinstance(key, int):
            raise KeyError(f"RowMapping keys are column names or objects, not positions: {key!r}")
        index = row._parent._index_for(key)
        assert index is not None
        return row[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row._parent._keys)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._row._parent._keymap and not isinstance(key, int)
        except TypeError:
            return False

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {v!r}' for k, v in self.items())}}}"

    def __hash__(self) -> int:
        return hash(tuple(self._row))


def result_tuple(
    fields: Sequence[str], extra: Sequence[Sequence[Any]] | None = None
) -> Callable[[Sequence[Any]], Row]:
    """A factory making ``Row`` objects with the given column names from raw sequences."""
    return ResultMetaData(fields, extra)._make_row
