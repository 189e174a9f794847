"""Write the block of ``scoped_session`` proxies from ``accord.orm.Session``'s public API.

Run after Session gains, loses or changes a public method, property or attribute::

    .venv/bin/python packages/scoping/tools/gen_proxies.py          # rewrite the block
    .venv/bin/python packages/scoping/tools/gen_proxies.py --check  # exit 1 if out of date

The block sits between the BEGIN and END markers in ``src/accord/scoping/scoped.py``; the
file is then put through ``ruff format``.  ``tests/test_scoped_proxies.py`` fails when the
committed block and Session disagree.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

from accord.orm import Session

SCOPED = Path(__file__).resolve().parents[1] / "src" / "accord" / "scoping" / "scoped.py"
BEGIN = "    # --- BEGIN generated proxies"
END = "    # --- END generated proxies ---"
HEADER = f"""{BEGIN} (packages/scoping/tools/gen_proxies.py; do not edit by hand) ---
    # Every public method, property and attribute of accord.orm.Session, forwarded to the
    # current scope's Session.  Regenerate after Session's public API changes:
    #     .venv/bin/python packages/scoping/tools/gen_proxies.py
"""

# Not proxied: events are listened to on the scoped_session itself, which hands them to the
# factory's Session class (SessionEvents accepts a scoped_session), not one scope's Session.
EXCLUDED = frozenset({"dispatch"})
# Dunder methods a scoped_session answers for its current Session, as SQLAlchemy's does.
DUNDERS = ("__contains__", "__iter__")


def public_api(cls: type[Session] = Session) -> dict[str, list[str]]:
    """Session's public names by kind: methods, classmethods, properties, attributes."""
    api: dict[str, list[str]] = {"method": [], "classmethod": [], "property": [], "attribute": []}
    for name in sorted(dir(cls)):
        if (name.startswith("_") and name not in DUNDERS) or name in EXCLUDED:
            continue
        static = inspect.getattr_static(cls, name)
        if isinstance(static, property):
            api["property"].append(name)
        elif isinstance(static, (classmethod, staticmethod)):
            api["classmethod"].append(name)
        elif inspect.isfunction(static):
            api["method"].append(name)
        else:
            api["attribute"].append(name)  # a class-level value
    # attributes assigned in __init__: read them off a fresh, unbound Session
    session = cls()
    try:
        for name in sorted(vars(session)):
            if not name.startswith("_") and name not in EXCLUDED and not hasattr(cls, name):
                api["attribute"].append(name)
    finally:
        session.close()
    return api


def _annotation(ann: Any) -> str:
    if ann is inspect.Parameter.empty:
        return "Any"
    # session.py uses postponed annotations: each one is already its source text
    return ann if isinstance(ann, str) else inspect.formatannotation(ann)


def _signature(func: Any) -> tuple[str, str, str]:
    """(parameters source, call arguments source, return annotation) without ``self``."""
    sig = inspect.signature(func)
    params: list[str] = []
    args: list[str] = []
    star_done = False
    for i, p in enumerate(list(sig.parameters.values())[1:]):
        if p.name.startswith("_"):
            # private parameters (``add(_warn=)``) stay internal to core
            if p.default is inspect.Parameter.empty:
                raise SystemExit(f"{func.__qualname__}: private parameter {p.name} has no default")
            continue
        text = f"{p.name}: {_annotation(p.annotation)}"
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{text}")
            args.append(f"*{p.name}")
            star_done = True
            continue
        if p.kind is p.VAR_KEYWORD:
            params.append(f"**{text}")
            args.append(f"**{p.name}")
            continue
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
            star_done = True
        if p.default is not inspect.Parameter.empty:
            if not isinstance(p.default, (type(None), bool, int, float, str)):
                raise SystemExit(f"{func.__qualname__}: default of {p.name} is not a literal")
            text += f" = {p.default!r}"
        params.append(text)
        args.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
        if p.kind is p.POSITIONAL_ONLY and (
            i + 2 == len(sig.parameters)
            or list(sig.parameters.values())[i + 2].kind is not p.POSITIONAL_ONLY
        ):
            params.append("/")
    return ", ".join(["self", *params]), ", ".join(args), _annotation(sig.return_annotation)


def _method(name: str, func: Any, owner: str) -> str:
    params, args, ret = _signature(func)
    call = f"{owner}.{name}({args})"
    body = call if ret == "None" else f"return {call}"
    return (
        f"    def {name}({params}) -> {ret}:\n"
        f'        """Proxy for ``Session.{name}()`` of the current scope."""\n'
        f"        {body}\n"
    )


def _classmethod(name: str, func: Any) -> str:
    text = _method(name, func, "Session").replace("(self", "(cls", 1)
    return "    @classmethod\n" + text


def _property(name: str, prop: property) -> str:
    fget: Any = prop.fget
    ret = _annotation(inspect.signature(fget).return_annotation)
    if hasattr(fget, "__wrapped__") and ret.startswith("Iterator["):
        # @property over @contextmanager: the value is a context manager, not an iterator
        ret = "AbstractContextManager[" + ret[len("Iterator[") :]
    out = (
        "    @property\n"
        f"    def {name}(self) -> {ret}:\n"
        f'        """Proxy for ``Session.{name}`` of the current scope."""\n'
        f"        return self.registry().{name}\n"
    )
    if prop.fset is not None:
        out += _setter(name, ret)
    return out


def _setter(name: str, ann: str) -> str:
    return (
        f"\n    @{name}.setter\n"
        f"    def {name}(self, value: {ann}) -> None:\n"
        f"        self.registry().{name} = value\n"
    )


def _attribute_annotation(value: Any) -> str:
    if value is None:
        return "Any"
    if isinstance(value, dict):
        return "dict[Any, Any]"
    return type(value).__name__


def _attribute(name: str, value: Any) -> str:
    ann = _attribute_annotation(value)
    return (
        "    @property\n"
        f"    def {name}(self) -> {ann}:\n"
        f'        """Proxy for ``Session.{name}`` of the current scope."""\n'
        f"        return self.registry().{name}\n" + _setter(name, ann)
    )


def generate_block(cls: type[Session] = Session) -> str:
    """The generated block's source (before ``ruff format``), markers included."""
    api = public_api(cls)
    parts = [_method(n, getattr(cls, n), "self.registry()") for n in api["method"]]
    # the plain function under the classmethod: its signature still has ``cls`` to drop
    parts += [_classmethod(n, inspect.getattr_static(cls, n).__func__) for n in api["classmethod"]]
    parts += [_property(n, inspect.getattr_static(cls, n)) for n in api["property"]]
    session = cls()
    try:
        parts += [_attribute(n, getattr(session, n)) for n in api["attribute"]]
    finally:
        session.close()
    return HEADER + "\n" + "\n".join(parts) + "\n" + END + "\n"


def render(source: str) -> str:
    """``source`` with its generated block replaced and the file formatted by ruff."""
    start = source.index(BEGIN)
    stop = source.index(END) + len(END) + 1
    text = source[:start] + generate_block() + source[stop:]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(SCOPED), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main(argv: list[str]) -> int:
    """Rewrite the block, or with ``--check`` report whether it is current."""
    current = SCOPED.read_text()
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{SCOPED} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        SCOPED.write_text(wanted)
        print(f"rewrote {SCOPED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
