"""``create_engine()``: URL -> dialect (through the registry) -> pool -> ``Engine``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from accord.engine import registry
from accord.engine.base import Engine
from accord.engine.url import URL, make_url
from accord.exc import ArgumentError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["create_engine"]

_POOL_ARGS = {
    "pool_size": "pool_size",
    "max_overflow": "max_overflow",
    "pool_timeout": "timeout",
    "pool_recycle": "recycle",
    "pool_pre_ping": "pre_ping",
    "pool_reset_on_return": "reset_on_return",
    "pool_logging_name": "logging_name",
    "pool_use_lifo": "use_lifo",
    "echo_pool": "echo",
}
_ENGINE_ARGS = {
    "echo",
    "hide_parameters",
    "execution_options",
    "query_cache_size",
    "logging_name",
}
_OTHER_ARGS = {
    "connect_args",
    "creator",
    "poolclass",
    "pool",
    "isolation_level",
    "paramstyle",
    "module",
    "future",
    "_initialize",
}


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an ``Engine`` for ``url`` (e.g. ``"sqlite:///app.db"``).

    Accepts ``echo``, ``pool_size``, ``max_overflow``, ``pool_timeout``,
    ``pool_recycle``, ``pool_pre_ping``, ``isolation_level``, ``execution_options``,
    ``connect_args``, ``poolclass``, ``pool``, ``creator``, ``hide_parameters``,
    ``query_cache_size`` and dialect-specific keywords; anything else is an
    ``ArgumentError``.
    """
    u = make_url(url)
    dialect_cls: Any = registry.load(u.drivername)
    dialect_opts = set(getattr(dialect_cls, "engine_args", ()) or ())
    unknown = sorted(
        k
        for k in kwargs
        if k not in _POOL_ARGS
        and k not in _ENGINE_ARGS
        and k not in _OTHER_ARGS
        and k not in dialect_opts
    )
    if unknown:
        raise ArgumentError(
            f"Invalid argument(s) {', '.join(repr(k) for k in unknown)} sent to "
            f"create_engine() for dialect {dialect_cls.name}/{dialect_cls.driver}; "
            "check the spelling"
        )

    dbapi = kwargs["module"] if "module" in kwargs else dialect_cls.import_dbapi()
    dialect_kw: dict[str, Any] = {k: kwargs[k] for k in dialect_opts if k in kwargs}
    if "paramstyle" in kwargs:
        dialect_kw["paramstyle"] = kwargs["paramstyle"]
    isolation_level = kwargs.get("isolation_level")
    dialect = dialect_cls(dbapi=dbapi, isolation_level=isolation_level, **dialect_kw)
    if isolation_level is not None:
        dialect.check_isolation_level(isolation_level)

    cargs, cparams = dialect.create_connect_args(u)
    cparams.update(kwargs.get("connect_args") or {})
    creator = _make_creator(dialect, cargs, cparams, kwargs.get("creator"))

    pool = kwargs.get("pool")
    if pool is None:
        poolclass = kwargs.get("poolclass") or dialect_cls.get_pool_class(u)
        pool_kw: dict[str, Any] = {"dialect": dialect}
        for name, pool_name in _POOL_ARGS.items():
            if name in kwargs:
                pool_kw[pool_name] = kwargs[name]
        try:
            pool = poolclass(creator, **pool_kw)
        except TypeError as err:
            given = sorted(k for k in kwargs if k in _POOL_ARGS)
            raise ArgumentError(
                f"Pool class {poolclass.__name__} does not accept these create_engine() "
                f"arguments: {', '.join(given)} ({err})"
            ) from err
    else:
        # A ready-made pool: make sure it uses this dialect's hooks.
        if getattr(pool, "_given_dialect", None) is None and hasattr(pool, "_dialect"):
            pool._dialect = dialect

    engine = Engine(
        pool,
        dialect,
        u,
        echo=kwargs.get("echo"),
        hide_parameters=bool(kwargs.get("hide_parameters", False)),
        execution_options=kwargs.get("execution_options"),
        query_cache_size=kwargs.get("query_cache_size", 500),
        logging_name=kwargs.get("logging_name"),
    )
    return engine


def _make_creator(
    dialect: Any,
    cargs: list[Any],
    cparams: dict[str, Any],
    user_creator: Callable[..., Any] | None,
) -> Callable[[], Any]:
    """The pool's creator: connect, run the dialect's on_connect, initialise once."""
    on_connect = dialect.on_connect()
    lock = threading.Lock()
    initialized = False

    def connect() -> Any:
        nonlocal initialized
        if user_creator is not None:
            conn = user_creator()
        else:
            conn = None
            ddispatch = dialect.dispatch
            args, params = list(cargs), dict(cparams)
            if ddispatch.do_connect:
                for fn in ddispatch.do_connect:
                    conn = fn(dialect, None, args, params)
                    if conn is not None:
                        break
            if conn is None:
                conn = dialect.connect(*args, **params)
        if on_connect is not None:
            on_connect(conn)
        if not initialized:
            with lock:
                if not initialized:
                    dialect.initialize(conn)
                    initialized = True
        return conn

    return connect


def engine_from_config(
    configuration: Mapping[str, Any], prefix: str = "accord.", **kwargs: Any
) -> Engine:
    """Create an engine from a dict of ``prefix``-ed settings (``accord.url`` required)."""
    options = {k[len(prefix) :]: v for k, v in configuration.items() if k.startswith(prefix)}
    options.update(kwargs)
    url = options.pop("url", None)
    if url is None:
        raise ArgumentError(f"engine_from_config() needs a {prefix}url setting")
    return create_engine(url, **options)
