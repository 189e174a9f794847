"""accord.scoping's ``__all__``: complete, sorted, and every module's names re-exported."""

from __future__ import annotations

import importlib

import accord.scoping

MODULES = ["query_property", "registry", "scoped"]


def test_all_is_sorted_and_importable() -> None:
    assert accord.scoping.__all__ == sorted(accord.scoping.__all__)
    for name in accord.scoping.__all__:
        assert getattr(accord.scoping, name) is not None


def test_every_module_all_is_reexported_and_public_names_have_docstrings() -> None:
    names: set[str] = set()
    for mod in MODULES:
        module = importlib.import_module(f"accord.scoping.{mod}")
        assert module.__all__ == sorted(module.__all__), mod
        assert module.__doc__
        names |= set(module.__all__)
        for name in module.__all__:
            assert getattr(module, name).__doc__, f"{mod}.{name} has no docstring"
    assert names == set(accord.scoping.__all__)
