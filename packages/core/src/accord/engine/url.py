"""Database URLs: the immutable ``URL`` value and ``make_url()`` parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from accord.exc import ArgumentError

__all__ = ["URL", "as_bool", "make_url"]

_MASK = "***"

# scheme://[user[:password]@][host][:port][/database][?query]
# The password may hold ':' and '/', but not '@' (percent-encode it as %40).
_URL_RE = re.compile(
    r"""
    ^(?P<scheme>[^:/?]*)://
    (?:
        (?P<username>[^:/@]*)
        (?::(?P<password>[^@]*))?
    @)?
    (?:
        \[(?P<ipv6host>[^/?\]]+)\]
        |
        (?P<host>[^/?:]*)
    )?
    (?::(?P<port>[^/?]*))?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    $
    """,
    re.VERBOSE | re.DOTALL,
)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*(\+[A-Za-z0-9_.\-]+)?$")

QueryValue = str | tuple[str, ...]


def _freeze_query(query: Mapping[str, Any] | None) -> Mapping[str, QueryValue]:
    """An immutable, key-sorted copy of a query mapping; sequences become tuples."""
    if not query:
        return MappingProxyType({})
    frozen: dict[str, QueryValue] = {}
    for key in sorted(query):
        value = query[key]
        if isinstance(value, str):
            frozen[key] = value
        elif isinstance(value, Sequence):
            frozen[key] = tuple(str(v) for v in value)
        else:
            raise ArgumentError(f"URL query value for {key!r} must be a string or a sequence")
    return MappingProxyType(frozen)


@dataclass(frozen=True)
class URL:
    """A parsed database URL: ``drivername://username:password@host:port/database?query``.

    Immutable; ``set()`` and the ``update_query_*`` methods return new URLs. ``str()``
    and ``repr()`` mask the password; use ``render_as_string(hide_password=False)`` to
    get the full connection string.
    """

    drivername: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: Mapping[str, QueryValue] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.drivername, str) or not _SCHEME_RE.match(self.drivername):
            raise ArgumentError(
                f"Invalid URL drivername {self.drivername!r}: expected 'backend' or "
                "'backend+driver', e.g. 'sqlite' or 'postgresql+psycopg'"
            )
        if self.port is not None and (
            not isinstance(self.port, int) or isinstance(self.port, bool) or self.port < 0
        ):
            raise ArgumentError(f"Invalid URL port {self.port!r}: must be a non-negative integer")
        object.__setattr__(self, "query", _freeze_query(self.query))

    @classmethod
    def create(
        cls,
        drivername: str,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> URL:
        """Build a URL from its parts (no escaping needed: values are taken literally)."""
        return cls(drivername, username, password, host, port, database, _freeze_query(query))

    def set(
        self,
        drivername: str | None = None,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> URL:
        """Return a copy with the given parts replaced (``None`` keeps the current value)."""
        return URL(
            drivername if drivername is not None else self.drivername,
            username if username is not None else self.username,
            password if password is not None else self.password,
            host if host is not None else self.host,
            port if port is not None else self.port,
            database if database is not None else self.database,
            _freeze_query(query) if query is not None else self.query,
        )

    def update_query_dict(self, query_parameters: Mapping[str, Any]) -> URL:
        """Return a copy whose query string also holds ``query_parameters`` (they win)."""
        merged = dict(self.query)
        merged.update(query_parameters)
        return self.set(query=merged)

    def update_query_string(self, query_string: str) -> URL:
        """Return a copy with ``a=1&b=2`` merged into the query string."""
        return self.update_query_dict(_parse_query(query_string))

    def difference_update_query(self, names: Sequence[str]) -> URL:
        """Return a copy without the named query keys."""
        return URL(
            self.drivername,
            self.username,
            self.password,
            self.host,
            self.port,
            self.database,
            {k: v for k, v in self.query.items() if k not in names},
        )

    def get_backend_name(self) -> str:
        """The backend part of the drivername: ``postgresql`` for ``postgresql+psycopg``."""
        return self.drivername.partition("+")[0]

    def get_driver_name(self) -> str | None:
        """The driver part of the drivername, or ``None`` when the URL names none."""
        driver = self.drivername.partition("+")[2]
        return driver or None

    def translate_connect_args(self, names: Sequence[str] = (), **kw: str) -> dict[str, str | int]:
        """The parts that are set, as a dict; ``kw`` renames keys (``username='user'``)."""
        if names:
            raise ArgumentError("translate_connect_args() takes only keyword renames")
        out: dict[str, str | int] = {}
        for part in ("host", "database", "username", "password", "port"):
            value = getattr(self, part)
            if value is not None and value != "":
                out[kw.get(part, part)] = value
        return out

    def render_as_string(self, hide_password: bool = True) -> str:
        """The URL as a string; the password is shown as ``***`` unless ``hide_password=False``."""
        parts = [self.drivername, "://"]
        if self.username is not None:
            parts.append(quote(self.username, safe=" +"))
            if self.password is not None:
                parts.append(":")
                parts.append(_MASK if hide_password else quote(self.password, safe=" +"))
            parts.append("@")
        if self.host is not None:
            parts.append(f"[{self.host}]" if ":" in self.host else self.host)
        if self.port is not None:
            parts.append(f":{self.port}")
        if self.database is not None:
            parts.append("/" + self.database)
        if self.query:
            pairs = []
            for key, value in self.query.items():
                for item in (value,) if isinstance(value, str) else value:
                    pairs.append(f"{quote(key, safe='')}={quote(item, safe='/')}")
            parts.append("?" + "&".join(pairs))
        return "".join(parts)

    def __str__(self) -> str:
        return self.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"URL({self.render_as_string(hide_password=True)!r})"

    def __hash__(self) -> int:
        return hash(self.render_as_string(hide_password=False))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self.render_as_string(hide_password=False) == other.render_as_string(
            hide_password=False
        )


def _parse_query(text: str) -> dict[str, QueryValue]:
    """Parse ``a=1&b=2&b=3`` into ``{'a': '1', 'b': ('2', '3')}``."""
    out: dict[str, QueryValue] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in out:
            prev = out[key]
            out[key] = (*((prev,) if isinstance(prev, str) else prev), value)
        else:
            out[key] = value
    return out


def make_url(name_or_url: str | URL) -> URL:
    """Parse a URL string into a ``URL``; a ``URL`` is returned unchanged.

    Errors name the part that is wrong and never repeat the password.
    """
    if isinstance(name_or_url, URL):
        return name_or_url
    if not isinstance(name_or_url, str):
        raise ArgumentError(
            f"Expected a URL string or URL object, got {type(name_or_url).__name__}"
        )
    if "://" not in name_or_url:
        raise ArgumentError(
            "Could not parse the database URL: missing scheme; expected a URL like "
            "'dialect+driver://user:password@host/dbname' (e.g. 'sqlite:///file.db')"
        )
    match = _URL_RE.match(name_or_url)
    if match is None:
        raise ArgumentError(
            "Could not parse the database URL: expected "
            "'dialect+driver://user:password@host:port/dbname[?key=value]'"
        )
    groups = match.groupdict()
    scheme = groups["scheme"]
    if not scheme:
        raise ArgumentError("Could not parse the database URL: missing scheme before '://'")
    if not _SCHEME_RE.match(scheme):
        raise ArgumentError(
            f"Invalid database URL scheme {scheme!r}: expected 'backend' or 'backend+driver'"
        )
    port: int | None = None
    raw_port = groups["port"]
    if raw_port is not None and raw_port != "":
        if not raw_port.isdigit():
            raise ArgumentError(
                f"Invalid port {raw_port!r} in database URL: the port must be a number"
            )
        port = int(raw_port)
    username = groups["username"]
    password = groups["password"]
    host = groups["ipv6host"] or groups["host"] or None
    database = groups["database"]
    query = _parse_query(groups["query"]) if groups["query"] else {}
    return URL.create(
        scheme,
        unquote(username) if username is not None else None,
        unquote(password) if password is not None else None,
        unquote(host) if host is not None else None,
        port,
        database or None,
        query,
    )


_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})


def as_bool(name: str, value: Any, dialect: str = "") -> bool:
    """A URL query option as a bool (1/0, true/false, on/off, yes/no); ArgumentError else."""
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    where = f"{dialect} URL option" if dialect else "URL option"
    raise ArgumentError(f"Invalid value {value!r} for {where} {name!r}: use on/off")
