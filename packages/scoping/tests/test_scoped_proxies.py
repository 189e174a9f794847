"""scoped_session proxies every public name of Session, and the generated block is current."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from accord.orm import Session, sessionmaker
from accord.scoping import scoped_session

TOOL = Path(__file__).resolve().parents[1] / "tools" / "gen_proxies.py"
# scoped_session's own API; none of these may shadow a Session name
OWN = {"configure", "query_property", "registry", "remove", "session_factory"}


def session_public_names() -> set[str]:
    """Listed here independently of the generator: class names plus __init__'s attributes."""
    names = {n for n in dir(Session) if not n.startswith("_")}
    with Session() as session:
        names |= {n for n in vars(session) if not n.startswith("_")}
    names.discard("dispatch")  # events go through the factory (see test_scoped.py)
    return names | {"__contains__", "__iter__"}


def proxied_names() -> set[str]:
    return {
        n
        for n in vars(scoped_session)
        if (not n.startswith("_") or n in ("__contains__", "__iter__")) and n not in OWN
    }


def test_every_public_session_name_is_proxied() -> None:
    missing = session_public_names() - proxied_names()
    extra = proxied_names() - session_public_names()
    assert not missing, f"not proxied (run {TOOL.name}): {sorted(missing)}"
    assert not extra, f"proxied but not on Session (run {TOOL.name}): {sorted(extra)}"
    assert not OWN & session_public_names()


def test_proxy_signatures_match_the_session_methods() -> None:
    for name in proxied_names():
        target = inspect.getattr_static(Session, name, None)
        if isinstance(target, classmethod):  # both sides bound to their class: no cls
            ours = inspect.signature(getattr(scoped_session, name))
            theirs = inspect.signature(getattr(Session, name))
            assert ours == theirs, name
            continue
        if not inspect.isfunction(target):
            continue
        ours = inspect.signature(getattr(scoped_session, name))
        theirs = inspect.signature(target)
        public = [p for p in theirs.parameters.values() if not p.name.startswith("_")]
        assert list(ours.parameters.values()) == public, name
        assert ours.return_annotation == theirs.return_annotation, name


def test_settable_proxies_are_the_settable_session_names() -> None:
    with Session() as session:
        plain = {n for n in vars(session) if not n.startswith("_")}
    settable = {n for n, v in vars(scoped_session).items() if isinstance(v, property) and v.fset}
    session_props = {n for n, v in vars(Session).items() if isinstance(v, property) and v.fset}
    assert settable == plain | session_props


def test_generated_block_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("name", "args"),
    [("flush", ()), ("expunge_all", ()), ("in_transaction", ()), ("expire_all", ())],
)
def test_a_proxy_calls_the_current_session(name: str, args: tuple[Any, ...]) -> None:
    calls: list[str] = []

    class Recording(Session):
        pass

    setattr(Recording, name, lambda self, *a, **kw: calls.append(name))
    scoped: scoped_session[Session] = scoped_session(sessionmaker(class_=Recording))
    getattr(scoped, name)(*args)
    assert calls == [name]
    scoped.remove()
