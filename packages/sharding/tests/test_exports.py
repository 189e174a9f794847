"""accord.sharding's ``__all__``: complete, sorted, and every module's names re-exported."""

from __future__ import annotations

import importlib

import accord.sharding

MODULES = ["choosers", "fanout", "options", "session", "vertical"]


def test_all_is_sorted_and_importable() -> None:
    assert accord.sharding.__all__ == sorted(accord.sharding.__all__)
    for name in accord.sharding.__all__:
        assert getattr(accord.sharding, name) is not None


def test_every_module_all_is_reexported_and_public_names_have_docstrings() -> None:
    names: set[str] = set()
    for mod in MODULES:
        module = importlib.import_module(f"accord.sharding.{mod}")
        assert module.__all__ == sorted(module.__all__), mod
        assert module.__doc__
        names |= set(module.__all__)
        for name in module.__all__:
            assert getattr(module, name).__doc__, f"{mod}.{name} has no docstring"
    assert names == set(accord.sharding.__all__)
