"""Capabilities a test can require, read from the connected dialect's flags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from accord.engine import Connection

__all__ = ["CAPABILITIES", "capabilities_of", "missing_capabilities"]


def _flag(name: str) -> Callable[[Any], bool]:
    return lambda dialect: bool(getattr(dialect, name, False))


#: Capability name -> how to read it from a dialect (after its first connection).
CAPABILITIES: dict[str, Callable[[Any], bool]] = {
    "savepoints": _flag("supports_savepoints"),
    "two_phase": _flag("supports_two_phase"),
    "returning": _flag("insert_returning"),
    "insert_returning": _flag("insert_returning"),
    "update_returning": _flag("update_returning"),
    "delete_returning": _flag("delete_returning"),
    "insert_executemany_returning": _flag("insert_executemany_returning"),
    "multivalues_insert": _flag("supports_multivalues_insert"),
    "sequences": _flag("supports_sequences"),
    "identity_columns": _flag("supports_identity_columns"),
    "native_boolean": _flag("supports_native_boolean"),
    "native_decimal": _flag("supports_native_decimal"),
    "native_uuid": _flag("supports_native_uuid"),
    "server_side_cursors": _flag("supports_server_side_cursors"),
    "empty_insert": _flag("supports_empty_insert"),
    "default_values": _flag("supports_default_values"),
}

#: Capabilities found on a live connection rather than on a flag.
CONNECTION_CAPABILITIES: tuple[str, ...] = ("isolation_levels", "autocommit")


def capabilities_of(conn: Connection) -> frozenset[str]:
    """Every capability the backend behind ``conn`` has (the dialect is initialised)."""
    dialect = conn.dialect
    found = {name for name, check in CAPABILITIES.items() if check(dialect)}
    try:
        levels = dialect.get_isolation_level_values(conn.connection.dbapi_connection)
    except NotImplementedError:
        levels = []
    if levels:
        found.add("isolation_levels")
    if "AUTOCOMMIT" in levels:
        found.add("autocommit")
    return frozenset(found)


def missing_capabilities(have: Iterable[str], needed: Iterable[str]) -> list[str]:
    """The capabilities of ``needed`` not in ``have``; an unknown name is a ValueError."""
    known = set(CAPABILITIES) | set(CONNECTION_CAPABILITIES)
    needed = list(needed)
    unknown = [name for name in needed if name not in known]
    if unknown:
        raise ValueError(
            f"unknown capability {', '.join(map(repr, unknown))} in requires(); "
            f"known: {', '.join(sorted(known))}"
        )
    have = set(have)
    return [name for name in needed if name not in have]
