"""Dialect lookup by name through the ``accord.dialects`` entry-point group."""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from accord.exc import NoSuchModuleError

if TYPE_CHECKING:
    from accord.engine.interfaces import Dialect

__all__ = ["DEFAULT_DRIVERS", "DISTRIBUTIONS", "load", "register", "unregister"]

GROUP = "accord.dialects"

DEFAULT_DRIVERS: dict[str, str] = {
    "sqlite": "pysqlite",
    "postgresql": "psycopg",
    "mysql": "pymysql",
    "mariadb": "pymysql",
    "oracle": "oracledb",
}
"""The driver used when a URL names only the backend (``postgresql://``)."""

DISTRIBUTIONS: dict[str, str] = {
    "sqlite": "accord-core",
    "postgresql": "accord-postgresql",
    "mysql": "accord-mysql",
    "mariadb": "accord-mysql",
    "oracle": "accord-oracle",
}
"""The distribution that ships each backend's dialects, for the install hint."""

# Dialects registered in-process by register(); they win over entry points.
_registered: dict[str, tuple[str, str]] = {}
_cache: dict[str, type[Any]] = {}
_lock = threading.Lock()


def _normalise(name: str) -> tuple[str, str]:
    """``postgresql``, ``postgresql+psycopg`` or ``postgresql.psycopg`` -> (backend, driver)."""
    backend, sep, driver = name.replace("+", ".").partition(".")
    if not sep or not driver:
        driver = DEFAULT_DRIVERS.get(backend, "")
    return backend, driver


def register(name: str, modulepath: str, objname: str) -> None:
    """Register a dialect class by module path, e.g. ``register("mydb.drv", "pkg.mod", "Cls")``.

    Meant for tests and for dialects that are not installed as distributions.
    """
    backend, driver = _normalise(name)
    key = f"{backend}.{driver}" if driver else backend
    with _lock:
        _registered[key] = (modulepath, objname)
        _cache.pop(key, None)


def unregister(name: str) -> None:
    """Forget a dialect registered with ``register()``."""
    backend, driver = _normalise(name)
    key = f"{backend}.{driver}" if driver else backend
    with _lock:
        _registered.pop(key, None)
        _cache.pop(key, None)


def _missing(backend: str, driver: str) -> NoSuchModuleError:
    dist = DISTRIBUTIONS.get(backend)
    what = f"{backend}.{driver}" if driver else backend
    if dist is None:
        return NoSuchModuleError(
            f"Can't load dialect {what!r}: no installed distribution provides it in the "
            f"{GROUP!r} entry-point group"
        )
    return NoSuchModuleError(
        f"Can't load dialect {what!r}: the {dist} distribution is not installed or does "
        f"not provide it; install it with: pip install {dist}"
    )


def _import(modulepath: str, objname: str) -> type[Any]:
    module = importlib.import_module(modulepath)
    cls = getattr(module, objname)
    if not isinstance(cls, type):
        raise NoSuchModuleError(f"{modulepath}:{objname} is not a dialect class")
    return cls


def load(name: str) -> type[Dialect]:
    """The dialect class for ``name`` (``backend`` or ``backend.driver``); cached.

    Raises ``NoSuchModuleError`` naming the distribution to install when none is found.
    """
    backend, driver = _normalise(name)
    key = f"{backend}.{driver}" if driver else backend
    found = _cache.get(key)
    if found is not None:
        return found
    with _lock:
        if not driver:
            # No default driver known for this backend: take the only one offered.
            offered = [k for k in _registered if k.startswith(backend + ".")]
            if len(offered) == 1:
                key = offered[0]
        if key in _registered:
            cls = _import(*_registered[key])
        else:
            eps = entry_points(group=GROUP)
            matches = [ep for ep in eps if ep.name == key]
            if not matches and not driver:
                matches = [ep for ep in eps if ep.name.startswith(backend + ".")][:1]
            if matches:
                try:
                    cls = matches[0].load()
                except ImportError as err:
                    raise NoSuchModuleError(
                        f"Can't load dialect {key!r}: importing {matches[0].value} failed "
                        f"({err}); is the driver for {backend!r} installed?"
                    ) from err
            elif key == "sqlite.pysqlite":
                # accord-core always ships sqlite: work even without installed metadata.
                cls = _import("accord.dialects.sqlite.pysqlite", "SQLiteDialect_pysqlite")
            else:
                raise _missing(backend, driver)
        _cache[key] = cls
    return cls
